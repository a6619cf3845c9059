package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertBitIdentical;
import static dev.kiln.cpu.KernelHarness.random;
import static dev.kiln.cpu.KernelHarness.read;

import dev.kiln.spi.IndexSpec;
import dev.kiln.spi.Storage;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Scatter-add (the backward of indexSelect, gather and embedding) with many repeated indices gives
 * the same bits on pools of 1, 2, 3 and 5 threads: work is split by output columns, and each column
 * adds its entries in index order.
 */
class IndexDeterminismTest {
    private static final int[] POOL_SIZES = {1, 2, 3, 5};

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

    private static int[] indices(int n, int bound, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextInt(bound);
        return v;
    }

    @Test
    void sharedIndexScatterAdd() {
        // An embedding backward: 20,000 tokens over 37 rows of 129 (every row hit ~540 times), padding row 3 skipped.
        IndexSpec s = new IndexSpec("embedding", 0, 1, 37, 20_000, 129, true, 3);
        float[] src = random(1, 20_000 * 129);
        int[] idx = indices(20_000, 37, 2);
        float[] expected = new float[37 * 129];  // a float32 loop in index order: what every pool size must give
        for (int k = 0; k < idx.length; k++) {
            if (idx[k] == 3) continue;
            for (int i = 0; i < 129; i++) expected[idx[k] * 129 + i] += src[k * 129 + i];
        }
        sameOnEveryPool("shared scatter-add", h -> {
            Storage out = h.store(new float[37 * 129]);
            h.cpu.indexScatterAdd(s, h.store(src), h.storeInts(idx), out);
            float[] got = read(out);
            assertBitIdentical("shared scatter-add vs float32 loop in index order", expected, got);
            return got;
        });
        // Three output rows of 129: fewer rows than tasks, so the work is split by columns instead.
        IndexSpec few = new IndexSpec("indexSelect", 0, 1, 3, 20_000, 129, true, -1);
        int[] idx3 = indices(20_000, 3, 5);
        float[] expected3 = new float[3 * 129];
        for (int k = 0; k < idx3.length; k++) {
            for (int i = 0; i < 129; i++) expected3[idx3[k] * 129 + i] += src[k * 129 + i];
        }
        sameOnEveryPool("shared scatter-add into 3 rows", h -> {
            Storage out = h.store(new float[3 * 129]);
            h.cpu.indexScatterAdd(few, h.store(src), h.storeInts(idx3), out);
            float[] got = read(out);
            assertBitIdentical("scatter-add into 3 rows vs float32 loop in index order", expected3, got);
            return got;
        });
    }

    @Test
    void perElementScatterAdd() {
        // A gather backward along the middle dim of [6, 11, 501] from an index [6, 700, 501].
        IndexSpec s = new IndexSpec("gather", 1, 6, 11, 700, 501, false, -1);
        float[] src = random(3, 6 * 700 * 501);
        int[] idx = indices(6 * 700 * 501, 11, 4);
        sameOnEveryPool("per-element scatter-add", h -> {
            Storage out = h.store(new float[6 * 11 * 501]);
            h.cpu.indexScatterAdd(s, h.store(src), h.storeInts(idx), out);
            return read(out);
        });
    }
}
