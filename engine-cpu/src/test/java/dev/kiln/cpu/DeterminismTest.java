package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertBitIdentical;
import static dev.kiln.cpu.KernelHarness.random;
import static dev.kiln.cpu.KernelHarness.read;

import dev.kiln.spi.BatchNormSpec;
import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.MatmulSpec;
import dev.kiln.spi.Pool2dSpec;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.spi.Storage;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The same inputs give bit-identical outputs on pools of 1, 2 and 5 threads. */
class DeterminismTest {
    private static final int[] POOL_SIZES = {1, 2, 5};

    /** Runs {@code op} on a fresh backend per pool size and compares every result with the 1-thread one. */
    private static void sameOnEveryPool(String what, Function<KernelHarness, float[]> op) {
        float[] first = null;
        for (int threads : POOL_SIZES) {
            try (KernelHarness h = new KernelHarness(threads)) {
                float[] got = op.apply(h);
                if (first == null) first = got;
                else assertBitIdentical(what + " with " + threads + " threads vs 1", first, got);
            }
        }
    }

    @Test
    void convBackwardWeightAndBias() {
        // 37 images: the batch is cut into chunks, several per thread; odd sizes exercise tile edges.
        Conv2dSpec s = new Conv2dSpec(37, 6, 11, 9, 8, 3, 3, 1, 2, 1, 1, 1, 1, 2);
        float[] x = random(1, 37 * 6 * 11 * 9), gy = random(2, 37 * 8 * s.outH() * s.outW());
        sameOnEveryPool("conv2d backward weight", h -> {
            Storage gw = h.empty(8 * 3 * 3 * 3);
            h.cpu.conv2dBackwardWeight(s, h.store(x), h.store(gy), gw);
            return read(gw);
        });
        sameOnEveryPool("conv2d backward bias", h -> {
            Storage gb = h.empty(8);
            h.cpu.conv2dBackwardBias(s, h.store(gy), gb);
            return read(gb);
        });
        // 1 image (one chunk) and 3 images (fewer chunks than some pools have threads: GEMM splits instead).
        for (int n : new int[] {1, 3}) {
            Conv2dSpec few = new Conv2dSpec(n, 3, 20, 20, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            float[] x1 = random(3, n * 3 * 400), gy1 = random(4, n * 4 * 400);
            sameOnEveryPool("conv2d backward weight, " + n + " images", h -> {
                Storage gw = h.empty(4 * 27);
                h.cpu.conv2dBackwardWeight(few, h.store(x1), h.store(gy1), gw);
                return read(gw);
            });
        }
    }

    @Test
    void convForwardAndBackwardData() {
        // 37 images of a small plane: several images per GEMM, chunks spread over the threads.
        for (Conv2dSpec s : new Conv2dSpec[] {new Conv2dSpec(37, 6, 7, 7, 10, 3, 3, 1, 1, 0, 0, 1, 1, 1),
                new Conv2dSpec(5, 3, 20, 20, 4, 3, 3, 2, 1, 1, 1, 1, 1, 1)}) {
            int xn = s.n() * s.c() * s.h() * s.w(), yn = s.n() * s.outC() * s.outH() * s.outW(), wn = s.outC() * s.c() * 9;
            float[] x = random(11, xn), w = random(12, wn), b = random(13, s.outC()), gy = random(14, yn);
            sameOnEveryPool("conv2d forward " + s, h -> {
                Storage y = h.empty(yn);
                h.cpu.conv2d(s, h.store(x), h.store(w), h.store(b), y);
                return read(y);
            });
            sameOnEveryPool("conv2d backward data " + s, h -> {
                Storage gx = h.empty(xn);
                h.cpu.conv2dBackwardData(s, h.store(gy), h.store(w), gx);
                return read(gx);
            });
        }
    }

    @Test
    void maxPoolTwoByTwo() {
        // 45 planes of 27 x 27: thread ranges of different lengths, each run as several blocks plus a remainder.
        Pool2dSpec s = new Pool2dSpec(5, 9, 27, 27, 2, 2, 2, 2, 0, 0, 1, 1, false, true);
        int xn = 45 * 27 * 27, yn = 45 * s.outH() * s.outW();
        float[] x = random(21, xn), gy = random(22, yn);
        sameOnEveryPool("max_pool2d forward " + s, h -> {
            Storage y = h.empty(yn);
            h.cpu.maxPool2d(s, h.store(x), y);
            return read(y);
        });
        sameOnEveryPool("max_pool2d backward " + s, h -> {
            Storage xs = h.store(x), y = h.empty(yn), gx = h.empty(xn);
            h.cpu.maxPool2d(s, xs, y);
            h.cpu.maxPool2dBackward(s, xs, y, h.store(gy), gx);
            return read(gx);
        });
    }

    @Test
    void sums() {
        float[] x = random(5, 6 * 25_000);
        // {1}: 6 outputs, computed whole on 1 thread but as parallel chunk partials on 2 and 5.
        for (int[] axes : new int[][] {{0, 1}, {1}, {0}}) {
            ReduceSpec s = new ReduceSpec(new int[] {6, 25_000}, axes);
            sameOnEveryPool("sum over " + java.util.Arrays.toString(axes), h -> {
                Storage out = h.empty(s.outNumel());
                h.cpu.sum(s, h.store(x), out);
                return read(out);
            });
        }
    }

    @Test
    void columnSumsOverManyChunks() {
        // Over the leading axis (a bias gradient): 3 chunks of rows, 2 column blocks. The same sums
        // over the trailing axis of the transpose walk each column in the same order, so the bits match too.
        int rows = 9_000, cols = 530;
        float[] x = random(8, rows * cols), xt = new float[x.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) xt[c * rows + r] = x[r * cols + c];
        }
        ReduceSpec lead = new ReduceSpec(new int[] {rows, cols}, new int[] {0}), trail = new ReduceSpec(new int[] {cols, rows}, new int[] {1});
        sameOnEveryPool("column sums", h -> {
            Storage out = h.empty(cols), outT = h.empty(cols);
            h.cpu.sum(lead, h.store(x), out);
            h.cpu.sum(trail, h.store(xt), outT);
            assertBitIdentical("column sums vs row sums of the transpose", read(outT), read(out));
            return read(out);
        });
        double[] ref = new double[cols];
        for (int i = 0; i < x.length; i++) ref[i % cols] += x[i];
        try (KernelHarness h = new KernelHarness(2)) {
            Storage out = h.empty(cols);
            h.cpu.sum(lead, h.store(x), out);
            KernelHarness.assertClose("column sums vs float64", ref, read(out));
        }
    }

    @Test
    void batchNormTrainAndBackward() {
        BatchNormSpec s = new BatchNormSpec(16, 3, 257, 1e-5f, 0.1f);
        float[] x = random(6, (int) s.numel()), gy = random(7, (int) s.numel());
        sameOnEveryPool("batch_norm train + backward", h -> {
            Storage y = h.empty(s.numel()), mean = h.empty(3), inv = h.empty(3), gx = h.empty(s.numel()), gg = h.empty(3), gb = h.empty(3);
            Storage xs = h.store(x), gamma = h.store(new float[] {1, 2, 3});
            h.cpu.batchNormTrain(s, xs, gamma, h.store(new float[3]), y, mean, inv, null, null);
            h.cpu.batchNormBackward(s, xs, gamma, h.store(gy), mean, inv, gx, gg, gb);
            float[] a = read(y), b = read(gx), c = read(gg);
            float[] all = new float[a.length + b.length + c.length];
            System.arraycopy(a, 0, all, 0, a.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            System.arraycopy(c, 0, all, a.length + b.length, c.length);
            return all;
        });
    }

    @Test
    void matmul() {
        MatmulSpec s = MatmulSpec.of(70, 90, 513, true, false);
        float[] a = random(8, 70 * 513), b = random(9, 513 * 90);
        sameOnEveryPool("matmul", h -> {
            Storage out = h.empty(70 * 90);
            h.cpu.matmul(s, h.store(a), h.store(b), out);
            return read(out);
        });
    }
}
