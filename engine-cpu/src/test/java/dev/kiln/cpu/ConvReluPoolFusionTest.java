package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertBitIdentical;
import static dev.kiln.cpu.KernelHarness.assertClose;
import static dev.kiln.cpu.KernelHarness.random;
import static dev.kiln.cpu.KernelHarness.read;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.cpu.kernels.Conv2d;
import dev.kiln.ops.Conv2dOptions;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Pool2dOptions;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.Pool2dSpec;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.Scope;
import dev.kiln.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fused convolution + bias + ReLU + 2 x 2 max pool ({@code Backend.conv2dReluMaxPool2d}, its
 * backward, {@code Functional.conv2dReluMaxPool2d}): against float64 loops, against the SPI's
 * default composition of the unfused primitives (bit for bit, with and without the pre-pool
 * output, on random data and on data full of ties), against the unfused ops through autograd (bit
 * for bit), and across thread counts.
 */
class ConvReluPoolFusionTest {
    private final KernelHarness h = new KernelHarness();

    /**
     * conv1's shape (one image per chunk, an even output), several images per chunk with an odd
     * output (last row and column in no window), groups with stride 1 and padding, batch 1.
     */
    private static final List<Conv2dSpec> CASES = List.of(
            new Conv2dSpec(3, 1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1),
            new Conv2dSpec(9, 16, 13, 13, 24, 3, 3, 1, 1, 0, 0, 1, 1, 1),
            new Conv2dSpec(2, 4, 8, 7, 6, 3, 2, 1, 1, 1, 1, 1, 1, 2),
            new Conv2dSpec(1, 3, 6, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1));

    @AfterEach
    void close() {
        h.close();
    }

    private static Pool2dSpec pool(Conv2dSpec s) {
        return new Pool2dSpec(s.n(), s.outC(), s.outH(), s.outW(), 2, 2, 2, 2, 0, 0, 1, 1, false, false);
    }

    private static int outNumel(Conv2dSpec s) {
        return s.n() * s.outC() * s.outH() * s.outW();
    }

    private static int pooledNumel(Pool2dSpec p) {
        return p.n() * p.c() * p.outH() * p.outW();
    }

    /** Float64 {@code conv(x, w) + b}, from the definition. */
    private static double[] convRef(Conv2dSpec s, float[] x, float[] w, float[] b) {
        int oh = s.outH(), ow = s.outW(), cpg = s.cPerGroup(), ocpg = s.outC() / s.groups();
        double[] z = new double[outNumel(s)];
        for (int n = 0; n < s.n(); n++)
            for (int o = 0; o < s.outC(); o++)
                for (int y = 0; y < oh; y++)
                    for (int xo = 0; xo < ow; xo++) {
                        double acc = b[o];
                        for (int ci = 0; ci < cpg; ci++)
                            for (int i = 0; i < s.kh(); i++)
                                for (int j = 0; j < s.kw(); j++) {
                                    int iy = y * s.strideH() - s.padH() + i * s.dilationH(), ix = xo * s.strideW() - s.padW() + j * s.dilationW();
                                    if (iy < 0 || iy >= s.h() || ix < 0 || ix >= s.w()) continue;
                                    int c = (o / ocpg) * cpg + ci;
                                    acc += (double) x[((n * s.c() + c) * s.h() + iy) * s.w() + ix] * w[((o * cpg + ci) * s.kh() + i) * s.kw() + j];
                                }
                        z[((n * s.outC() + o) * oh + y) * ow + xo] = acc;
                    }
        return z;
    }

    @Test
    void matchesFloat64Loops() {
        for (Conv2dSpec s : CASES) {
            Pool2dSpec p = pool(s);
            assertTrue(Conv2d.poolFuses(s, p), "the CPU's fused path applies to " + s);
            float[] x = random(1, s.n() * s.c() * s.h() * s.w()), w = random(2, s.outC() * s.cPerGroup() * s.kh() * s.kw());
            float[] b = random(3, s.outC()), gOut = random(4, pooledNumel(p));
            double[] z = convRef(s, x, w, b);
            double[] yRef = new double[z.length];
            for (int i = 0; i < z.length; i++) yRef[i] = Math.max(z[i], 0);
            Storage y = h.empty(z.length), out = h.empty(pooledNumel(p)), gz = h.empty(z.length), gb = h.empty(s.outC());
            h.cpu.conv2dReluMaxPool2d(s, p, h.store(x), h.store(w), h.store(b), y, out);
            float[] yv = read(y);
            assertClose("conv2dReluMaxPool2d pre-pool " + s, yRef, yv, 4);
            // Pooled maxima of the float64 activation; the gradient goes to the first maximum of the op's own y, masked where z <= 0.
            int oh = p.outH(), ow = p.outW(), hw = s.outH() * s.outW();
            double[] outRef = new double[pooledNumel(p)], gzRef = new double[z.length], gbRef = new double[s.outC()];
            for (int pl = 0; pl < p.n() * p.c(); pl++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        int best = -1;
                        double m = Double.NEGATIVE_INFINITY;
                        for (int di = 0; di < 2; di++) {
                            for (int dj = 0; dj < 2; dj++) {
                                int at = pl * hw + (2 * i + di) * s.outW() + 2 * j + dj;
                                m = Math.max(m, yRef[at]);
                                if (best < 0 || yv[at] > yv[best]) best = at;
                            }
                        }
                        int o = pl * oh * ow + i * ow + j;
                        outRef[o] = m;
                        if (z[best] > 0) gzRef[best] = gOut[o];
                    }
                }
            }
            for (int i = 0; i < z.length; i++) gbRef[(i / hw) % s.outC()] += gzRef[i];
            assertClose("conv2dReluMaxPool2d output " + s, outRef, read(out), 4);
            h.cpu.conv2dReluMaxPool2dBackward(s, p, y, out, h.store(gOut), gz, gb);
            assertClose("conv2dReluMaxPool2dBackward gz " + s, gzRef, read(gz));
            assertClose("conv2dReluMaxPool2dBackward gb " + s, gbRef, read(gb));
        }
    }

    /** Random inputs, and inputs constant along rows (so every window is a tie, at zero or above it). */
    @Test
    void cpuOverridesGiveTheDefaultCompositionsBits() {
        Backend composed = h.defaultsOnly();
        for (Conv2dSpec s : CASES) {
            for (boolean ties : new boolean[] {false, true}) {
                Pool2dSpec p = pool(s);
                float[] x = random(5, s.n() * s.c() * s.h() * s.w()), w = random(6, s.outC() * s.cPerGroup() * s.kh() * s.kw());
                if (ties) {
                    for (int i = 0; i < x.length; i++) x[i] = (i / (s.h() * s.w())) % 3 - 1;
                }
                float[] b = random(7, s.outC()), gOut = random(8, pooledNumel(p));
                String what = s + (ties ? " (ties)" : "");
                Storage yF = h.empty(outNumel(s)), yC = h.empty(outNumel(s)), outF = h.empty(pooledNumel(p)), outC = h.empty(pooledNumel(p));
                Storage outNoY = h.empty(pooledNumel(p));
                h.cpu.conv2dReluMaxPool2d(s, p, h.store(x), h.store(w), h.store(b), yF, outF);
                h.cpu.conv2dReluMaxPool2d(s, p, h.store(x), h.store(w), h.store(b), null, outNoY);
                composed.conv2dReluMaxPool2d(s, p, h.store(x), h.store(w), h.store(b), yC, outC);
                assertBitIdentical("pre-pool vs conv2dRelu " + what, read(yC), read(yF));
                assertBitIdentical("pooled vs conv2dRelu + maxPool2d " + what, read(outC), read(outF));
                assertBitIdentical("pooled without the pre-pool output " + what, read(outC), read(outNoY));
                for (boolean withBias : new boolean[] {true, false}) {
                    Storage gzF = h.empty(outNumel(s)), gzC = h.empty(outNumel(s));
                    Storage gbF = withBias ? h.empty(s.outC()) : null, gbC = withBias ? h.empty(s.outC()) : null;
                    h.cpu.conv2dReluMaxPool2dBackward(s, p, yF, outF, h.store(gOut), gzF, gbF);
                    composed.conv2dReluMaxPool2dBackward(s, p, yF, outF, h.store(gOut), gzC, gbC);
                    assertBitIdentical("gz vs maxPool2dBackward + conv2dReluBackward " + what, read(gzC), read(gzF));
                    if (withBias) assertBitIdentical("gb vs conv2dReluBackward " + what, read(gbC), read(gbF));
                }
            }
        }
    }

    /** Pools the fused path does not take (padding, a 3 x 3 window) compose on the CPU backend too. */
    @Test
    void otherPoolsFallBackToTheComposition() {
        Conv2dSpec s = new Conv2dSpec(2, 3, 9, 9, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1);
        Pool2dSpec p = new Pool2dSpec(2, 4, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1, false, false);
        assertFalse(Conv2d.poolFuses(s, p));
        float[] x = random(21, 2 * 3 * 81), w = random(22, 4 * 27), b = random(23, 4);
        Storage y = h.empty(outNumel(s)), out = h.empty(pooledNumel(p)), out2 = h.empty(pooledNumel(p));
        h.cpu.conv2dReluMaxPool2d(s, p, h.store(x), h.store(w), h.store(b), null, out);
        h.cpu.conv2dRelu(s, h.store(x), h.store(w), h.store(b), y);
        h.cpu.maxPool2d(p, y, out2);
        assertBitIdentical("composed pool " + p, read(out2), read(out));
    }

    @Test
    void sameBitsOnOneTwoAndThreeThreads() {
        Conv2dSpec s = new Conv2dSpec(16, 8, 13, 13, 16, 3, 3, 1, 1, 0, 0, 1, 1, 1);
        Pool2dSpec p = pool(s);
        float[] x = random(9, s.n() * s.c() * s.h() * s.w()), w = random(10, s.outC() * s.c() * 9), b = random(11, s.outC());
        float[] gOut = random(12, pooledNumel(p));
        float[][] ref = null;
        for (int threads : new int[] {1, 2, 3}) {
            try (KernelHarness t = new KernelHarness(threads)) {
                Storage y = t.empty(outNumel(s)), out = t.empty(pooledNumel(p)), gz = t.empty(outNumel(s)), gb = t.empty(s.outC());
                Storage outNoY = t.empty(pooledNumel(p));
                t.cpu.conv2dReluMaxPool2d(s, p, t.store(x), t.store(w), t.store(b), y, out);
                t.cpu.conv2dReluMaxPool2d(s, p, t.store(x), t.store(w), t.store(b), null, outNoY);
                t.cpu.conv2dReluMaxPool2dBackward(s, p, y, out, t.store(gOut), gz, gb);
                float[][] got = {read(y), read(out), read(outNoY), read(gz), read(gb)};
                if (ref == null) ref = got;
                for (int i = 0; i < got.length; i++) assertBitIdentical("output " + i + " on " + threads + " threads vs 1", ref[i], got[i]);
            }
        }
    }

    /** Through autograd: the fused op gives the bits of {@code maxPool2d(conv2dRelu(...))}, output and all three gradients, and the same output without a gradient. */
    @Test
    void functionalMatchesTheUnfusedOps() {
        Backend cpu = Kiln.backend("cpu");
        int[] xs = {5, 3, 10, 11}, ws = {8, 3, 3, 3};
        float[] xv = random(13, 5 * 3 * 110), wv = random(14, 8 * 27), bv = random(15, 8);
        Conv2dOptions o = Conv2dOptions.defaults().padding(1);
        Pool2dOptions po = Pool2dOptions.kernel(2);
        float[][][] results = new float[3][][];
        for (int fused = 0; fused < 3; fused++) {
            try (Scope scope = Kiln.scope()) {
                boolean grad = fused < 2;
                Tensor x = Tensor.fromArray(cpu, xv, xs).requiresGrad(grad);
                Tensor w = Tensor.fromArray(cpu, wv, ws).requiresGrad(grad);
                Tensor b = Tensor.fromArray(cpu, bv, 8).requiresGrad(grad);
                Tensor y = fused == 0 ? Functional.maxPool2d(Functional.conv2dRelu(x, w, b, o), po) : Functional.conv2dReluMaxPool2d(x, w, b, o, po);
                if (!grad) {
                    results[fused] = new float[][] {y.toFloatArray()};
                    continue;
                }
                y.backward(Tensor.fromArray(cpu, random(16, (int) y.numel()), y.shape()));
                results[fused] = new float[][] {y.toFloatArray(), x.grad().toFloatArray(), w.grad().toFloatArray(), b.grad().toFloatArray()};
            }
        }
        String[] names = {"output", "input grad", "weight grad", "bias grad"};
        for (int i = 0; i < 4; i++) assertBitIdentical("conv2dReluMaxPool2d vs maxPool2d(conv2dRelu): " + names[i], results[0][i], results[1][i]);
        assertBitIdentical("conv2dReluMaxPool2d without gradient", results[0][0], results[2][0]);
    }
}
