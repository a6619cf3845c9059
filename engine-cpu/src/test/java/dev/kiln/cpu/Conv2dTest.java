package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertClose;
import static dev.kiln.cpu.KernelHarness.random;
import static dev.kiln.cpu.KernelHarness.read;

import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.Storage;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Convolution forward and its three gradients against float64 loops written from the definition. */
class Conv2dTest {
    private final KernelHarness h = new KernelHarness();

    /** Stride, padding, dilation and groups in several combinations, plus the 1x1 shortcut and depthwise. */
    private static final List<Conv2dSpec> CASES = List.of(
            new Conv2dSpec(2, 4, 7, 6, 6, 3, 2, 2, 1, 1, 0, 1, 2, 2),
            new Conv2dSpec(3, 3, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1),
            new Conv2dSpec(2, 6, 4, 5, 4, 1, 1, 1, 1, 0, 0, 1, 1, 2),
            new Conv2dSpec(1, 4, 9, 8, 4, 3, 3, 2, 3, 2, 1, 2, 1, 4),
            new Conv2dSpec(20, 2, 5, 4, 3, 2, 3, 1, 2, 1, 1, 1, 1, 1),
            // Seed-CNN-like: conv3's 3x3 output (images batched into one GEMM) and conv1's single input channel.
            new Conv2dSpec(9, 16, 5, 5, 24, 3, 3, 1, 1, 0, 0, 1, 1, 1),
            new Conv2dSpec(3, 1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1),
            // Stride-1 unpadded shapes whose pixel panels are one, two or three runs of the input,
            // some crossing images (ow 7, 18, 8 with dilation 2, and grouped with ow 8).
            new Conv2dSpec(3, 2, 7, 9, 5, 3, 3, 1, 1, 0, 0, 1, 1, 1),
            new Conv2dSpec(2, 3, 6, 20, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1),
            new Conv2dSpec(2, 2, 9, 12, 3, 3, 3, 1, 1, 0, 0, 2, 2, 1),
            new Conv2dSpec(2, 4, 8, 10, 6, 3, 3, 1, 1, 0, 0, 1, 1, 2));

    @AfterEach
    void close() {
        h.close();
    }

    /** One in-bounds tap: output position (n, o, oy, ox) reads input element xIndex times weight element wIndex. */
    private interface Tap {
        void at(int n, int o, int oy, int ox, int xIndex, int wIndex);
    }

    private static void forEachTap(Conv2dSpec s, Tap tap) {
        int cpg = s.cPerGroup(), ocpg = s.outC() / s.groups();
        for (int n = 0; n < s.n(); n++)
            for (int o = 0; o < s.outC(); o++)
                for (int oy = 0; oy < s.outH(); oy++)
                    for (int ox = 0; ox < s.outW(); ox++)
                        for (int ci = 0; ci < cpg; ci++)
                            for (int ki = 0; ki < s.kh(); ki++)
                                for (int kj = 0; kj < s.kw(); kj++) {
                                    int iy = oy * s.strideH() - s.padH() + ki * s.dilationH();
                                    int ix = ox * s.strideW() - s.padW() + kj * s.dilationW();
                                    if (iy < 0 || iy >= s.h() || ix < 0 || ix >= s.w()) continue;
                                    int c = (o / ocpg) * cpg + ci;
                                    tap.at(n, o, oy, ox, ((n * s.c() + c) * s.h() + iy) * s.w() + ix, ((o * cpg + ci) * s.kh() + ki) * s.kw() + kj);
                                }
    }

    private static int yIndex(Conv2dSpec s, int n, int o, int oy, int ox) {
        return ((n * s.outC() + o) * s.outH() + oy) * s.outW() + ox;
    }

    private static int numel(int[] shape) {
        int p = 1;
        for (int d : shape) p *= d;
        return p;
    }

    @Test
    void forwardWithAndWithoutBias() {
        for (Conv2dSpec s : CASES) {
            float[] x = random(1, numel(s.inputShape())), w = random(2, numel(s.weightShape())), b = random(3, s.outC());
            for (boolean withBias : new boolean[] {false, true}) {
                double[] ref = new double[numel(s.outputShape())];
                if (withBias) {
                    for (int i = 0; i < ref.length; i++) ref[i] = b[(i / (s.outH() * s.outW())) % s.outC()];
                }
                forEachTap(s, (n, o, oy, ox, xi, wi) -> ref[yIndex(s, n, o, oy, ox)] += (double) x[xi] * w[wi]);
                Storage y = h.empty(ref.length);
                h.cpu.conv2d(s, h.store(x), h.store(w), withBias ? h.store(b) : null, y);
                assertClose("conv2d " + s + " bias=" + withBias, ref, read(y), 4);
            }
        }
    }

    @Test
    void backwardData() {
        for (Conv2dSpec s : CASES) {
            float[] gy = random(4, numel(s.outputShape())), w = random(5, numel(s.weightShape()));
            double[] ref = new double[numel(s.inputShape())];
            forEachTap(s, (n, o, oy, ox, xi, wi) -> ref[xi] += (double) gy[yIndex(s, n, o, oy, ox)] * w[wi]);
            Storage gx = h.empty(ref.length);
            h.cpu.conv2dBackwardData(s, h.store(gy), h.store(w), gx);
            assertClose("conv2d backward data " + s, ref, read(gx), 4);
        }
    }

    @Test
    void backwardWeight() {
        for (Conv2dSpec s : CASES) {
            float[] x = random(6, numel(s.inputShape())), gy = random(7, numel(s.outputShape()));
            double[] ref = new double[numel(s.weightShape())];
            forEachTap(s, (n, o, oy, ox, xi, wi) -> ref[wi] += (double) gy[yIndex(s, n, o, oy, ox)] * x[xi]);
            Storage gw = h.empty(ref.length);
            h.cpu.conv2dBackwardWeight(s, h.store(x), h.store(gy), gw);
            assertClose("conv2d backward weight " + s, ref, read(gw), 16);
        }
    }

    @Test
    void backwardBias() {
        for (Conv2dSpec s : CASES) {
            float[] gy = random(8, numel(s.outputShape()));
            double[] ref = new double[s.outC()];
            for (int i = 0; i < gy.length; i++) ref[(i / (s.outH() * s.outW())) % s.outC()] += gy[i];
            Storage gb = h.empty(s.outC());
            h.cpu.conv2dBackwardBias(s, h.store(gy), gb);
            assertClose("conv2d backward bias " + s, ref, read(gb));
        }
    }
}
