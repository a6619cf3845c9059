package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertBitIdentical;
import static dev.kiln.cpu.KernelHarness.assertClose;
import static dev.kiln.cpu.KernelHarness.random;
import static dev.kiln.cpu.KernelHarness.read;

import dev.kiln.Kiln;
import dev.kiln.ops.Conv2dOptions;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.Scope;
import dev.kiln.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fused convolution + bias + ReLU ({@code Backend.conv2dRelu}, {@code conv2dReluBackward},
 * {@code Functional.conv2dRelu}): against float64 loops, against the SPI's default composition of
 * the unfused primitives (bit for bit), against the unfused ops through autograd (bit for bit),
 * and across thread counts.
 */
class ConvReluFusionTest {
    private final KernelHarness h = new KernelHarness();

    /** Single images per chunk, images batched into one GEMM, conv1's one input channel, groups with stride and padding. */
    private static final List<Conv2dSpec> CASES = List.of(
            new Conv2dSpec(3, 1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1),
            new Conv2dSpec(9, 16, 5, 5, 24, 3, 3, 1, 1, 0, 0, 1, 1, 1),
            new Conv2dSpec(2, 4, 7, 6, 6, 3, 2, 2, 1, 1, 0, 1, 1, 2),
            new Conv2dSpec(1, 3, 6, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1));

    @AfterEach
    void close() {
        h.close();
    }

    /** Float64 pre-activation {@code z = conv(x, w) + b}, from the definition. */
    private static double[] convRef(Conv2dSpec s, float[] x, float[] w, float[] b) {
        int oh = s.outH(), ow = s.outW(), cpg = s.cPerGroup(), ocpg = s.outC() / s.groups();
        double[] z = new double[s.n() * s.outC() * oh * ow];
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

    private static int outNumel(Conv2dSpec s) {
        return s.n() * s.outC() * s.outH() * s.outW();
    }

    @Test
    void forwardAndReluBackwardMatchFloat64() {
        for (Conv2dSpec s : CASES) {
            float[] x = random(1, s.n() * s.c() * s.h() * s.w()), w = random(2, s.outC() * s.cPerGroup() * s.kh() * s.kw());
            float[] b = random(3, s.outC()), gy = random(4, outNumel(s));
            double[] z = convRef(s, x, w, b);
            double[] yRef = new double[z.length], gzRef = new double[z.length], gbRef = new double[s.outC()];
            int p = s.outH() * s.outW();
            for (int i = 0; i < z.length; i++) {
                yRef[i] = Math.max(z[i], 0);
                gzRef[i] = z[i] > 0 ? gy[i] : 0;
                gbRef[(i / p) % s.outC()] += gzRef[i];
            }
            Storage y = h.empty(z.length), gz = h.empty(z.length), gb = h.empty(s.outC());
            h.cpu.conv2dRelu(s, h.store(x), h.store(w), h.store(b), y);
            assertClose("conv2dRelu " + s, yRef, read(y), 4);
            h.cpu.conv2dReluBackward(s, y, h.store(gy), gz, gb);
            assertClose("conv2dReluBackward gz " + s, gzRef, read(gz));
            assertClose("conv2dReluBackward gb " + s, gbRef, read(gb));
        }
    }

    /** The ReLU gradient's test {@code y > 0} on the special values: zeros of both signs, NaNs, infinities, subnormals. */
    @Test
    void reluBackwardTestsPositivityLikeJava() {
        float[] specials = {0f, -0f, Float.NaN, Float.intBitsToFloat(0xffc00000), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, Float.MIN_NORMAL, Float.intBitsToFloat(0x7f800001)};
        Conv2dSpec s = new Conv2dSpec(1, 1, 3, specials.length + 2, 1, 3, 3, 1, 1, 0, 0, 1, 1, 1); // output 1 x 1 x 1 x specials.length
        float[] gy = random(17, specials.length);
        double[] expected = new double[specials.length];
        double sum = 0;
        for (int i = 0; i < specials.length; i++) {
            expected[i] = specials[i] > 0 ? gy[i] : 0;
            sum += expected[i];
        }
        Storage gz = h.empty(specials.length), gb = h.empty(1);
        h.cpu.conv2dReluBackward(s, h.store(specials), h.store(gy), gz, gb);
        assertClose("conv2dReluBackward gz on special y", expected, read(gz));
        assertClose("conv2dReluBackward gb on special y", new double[] {sum}, read(gb));
    }

    @Test
    void cpuOverridesGiveTheDefaultCompositionsBits() {
        Backend composed = h.defaultsOnly();
        for (Conv2dSpec s : CASES) {
            float[] x = random(5, s.n() * s.c() * s.h() * s.w()), w = random(6, s.outC() * s.cPerGroup() * s.kh() * s.kw());
            float[] b = random(7, s.outC()), gy = random(8, outNumel(s));
            Storage yFused = h.empty(outNumel(s)), yComposed = h.empty(outNumel(s));
            h.cpu.conv2dRelu(s, h.store(x), h.store(w), h.store(b), yFused);
            composed.conv2dRelu(s, h.store(x), h.store(w), h.store(b), yComposed);
            assertBitIdentical("conv2dRelu vs conv2d + relu " + s, read(yComposed), read(yFused));
            for (boolean withBias : new boolean[] {true, false}) {
                Storage gzF = h.empty(outNumel(s)), gzC = h.empty(outNumel(s));
                Storage gbF = withBias ? h.empty(s.outC()) : null, gbC = withBias ? h.empty(s.outC()) : null;
                h.cpu.conv2dReluBackward(s, yFused, h.store(gy), gzF, gbF);
                composed.conv2dReluBackward(s, yFused, h.store(gy), gzC, gbC);
                assertBitIdentical("conv2dReluBackward gz vs relu backward " + s, read(gzC), read(gzF));
                if (withBias) assertBitIdentical("conv2dReluBackward gb vs conv2dBackwardBias " + s, read(gbC), read(gbF));
            }
        }
    }

    @Test
    void sameBitsOnOneTwoAndThreeThreads() {
        Conv2dSpec s = new Conv2dSpec(16, 8, 12, 12, 16, 3, 3, 1, 1, 0, 0, 1, 1, 1);
        float[] x = random(9, s.n() * s.c() * s.h() * s.w()), w = random(10, s.outC() * s.c() * 9), b = random(11, s.outC());
        float[] gy = random(12, outNumel(s));
        float[][] ref = null;
        for (int threads : new int[] {1, 2, 3}) {
            try (KernelHarness t = new KernelHarness(threads)) {
                Storage y = t.empty(outNumel(s)), gz = t.empty(outNumel(s)), gb = t.empty(s.outC());
                t.cpu.conv2dRelu(s, t.store(x), t.store(w), t.store(b), y);
                t.cpu.conv2dReluBackward(s, y, t.store(gy), gz, gb);
                float[][] got = {read(y), read(gz), read(gb)};
                if (ref == null) ref = got;
                for (int i = 0; i < 3; i++) assertBitIdentical("output " + i + " on " + threads + " threads vs 1", ref[i], got[i]);
            }
        }
    }

    /** Through autograd: {@code Functional.conv2dRelu} gives the bits of {@code conv2d(...).relu()}, output and all three gradients. */
    @Test
    void functionalMatchesTheUnfusedOps() {
        Backend cpu = Kiln.backend("cpu");
        int[] xs = {5, 3, 9, 9}, ws = {8, 3, 3, 3};
        float[] xv = random(13, 5 * 3 * 81), wv = random(14, 8 * 27), bv = random(15, 8), gv = random(16, 5 * 8 * 81);
        float[][][] results = new float[2][][];
        for (int fused = 0; fused < 2; fused++) {
            try (Scope scope = Kiln.scope()) {
                Tensor x = Tensor.fromArray(cpu, xv, xs).requiresGrad(true);
                Tensor w = Tensor.fromArray(cpu, wv, ws).requiresGrad(true);
                Tensor b = Tensor.fromArray(cpu, bv, 8).requiresGrad(true);
                Conv2dOptions o = Conv2dOptions.defaults().padding(1).stride(1);
                Tensor y = fused == 1 ? Functional.conv2dRelu(x, w, b, o) : Functional.conv2d(x, w, b, o).relu();
                y.backward(Tensor.fromArray(cpu, gv, y.shape()));
                results[fused] = new float[][] {y.toFloatArray(), x.grad().toFloatArray(), w.grad().toFloatArray(), b.grad().toFloatArray()};
            }
        }
        String[] names = {"output", "input grad", "weight grad", "bias grad"};
        for (int i = 0; i < 4; i++) assertBitIdentical("conv2dRelu vs conv2d + relu: " + names[i], results[0][i], results[1][i]);
    }
}
