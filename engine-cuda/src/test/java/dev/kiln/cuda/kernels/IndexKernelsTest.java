package dev.kiln.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.kernels.KernelNames;
import dev.kiln.spi.IndexSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The index kernels ({@code index.cu}) without a GPU: launches pass the spec's fields in the
 * kernels' parameter order, empty work launches nothing, and the kernels' index arithmetic,
 * transcribed into Java, addresses what a naive multi-index loop does: the gather decodes each
 * output position, the scatter-add's columns together visit every source entry exactly once, each
 * column in increasing k (the order the CPU kernel and the op suite's bit-exact check use), and the
 * one-hot grid checks every value once, even with zero classes.
 */
class IndexKernelsTest {
    private final RecordingLauncher rec = new RecordingLauncher();
    private final KernelOps ops = new KernelOps(rec);

    @Test
    void launchesPassTheSpecInParameterOrder() {
        ops.indexGather(new IndexSpec("gather", 1, 4, 9, 5, 3, false, -1), 8, true, 11, 12, 13, 14, 2);
        assertEquals(KernelNames.INDEX_GATHER_ANY, rec.last().kernel());
        assertEquals(List.of(11L, 12L, 13L, 60L, 9L, 5L, 3L, 0, 1, 8, 14L, 2), rec.last().args());
        ops.indexScatterAdd(new IndexSpec("embedding", 0, 1, 50, 70, 16, true, 7), false, 21, 22, 23, 24, 3);
        assertEquals(KernelNames.INDEX_SCATTER_ADD_F32, rec.last().kernel());
        assertEquals(List.of(21L, 22L, 23L, 16L, 50L, 70L, 16L, 1, 0, 7L, 24L, 3), rec.last().args(), "one thread per column (outer * inner)");
        ops.oneHot(0, 5, false, 31, 32, 33, 4);
        assertEquals(List.of(31L, 32L, 5L, 0L, 0, 33L, 4), rec.last().args(), "zero classes still launches, to check the values");
        ops.indexRange(3000, true, 41, 42);
        RecordingLauncher.Launch r = rec.last();
        assertEquals(List.of(41L, 3000L, 1, 42L), r.args());
        assertEquals(1, r.gridX(), "one block reduces the whole index");
        assertTrue(r.blockX() <= 1024 && Integer.bitCount(r.blockX()) == 1, "block within the kernel's shared arrays, a power of two");
    }

    @Test
    void emptyWorkLaunchesNothing() {
        ops.indexGather(new IndexSpec("gather", 0, 3, 4, 0, 2, false, -1), 4, false, 1, 2, 3, 4, 0);
        ops.indexScatterAdd(new IndexSpec("gather", 0, 3, 4, 0, 2, false, -1), false, 1, 2, 3, 4, 0);
        ops.indexScatterAdd(new IndexSpec("gather", 0, 0, 4, 5, 2, false, -1), false, 1, 2, 3, 4, 0);
        ops.oneHot(3, 0, false, 1, 2, 3, 0);
        assertEquals(0, rec.launches.size());
        assertThrows(IllegalArgumentException.class, () -> ops.indexRange(0, false, 1, 2));
        var e = assertThrows(IllegalArgumentException.class, () -> ops.indexGather(new IndexSpec("gather", 0, 1, 1, 1, 1, false, -1), 2,
                false, 1, 2, 3, 4, 0));
        assertTrue(e.getMessage().contains("unsupported element size 2"), e.getMessage());
    }

    /** kiln_index_gather_any: j -> (oi, i, o, k) and the source offset, against a row-major decode of [outer, count, inner]. */
    @Test
    void gatherDecodesEveryOutputPosition() {
        int outer = 3, size = 5, count = 4, inner = 6;
        for (boolean shared : new boolean[] {true, false}) {
            for (long j = 0; j < (long) outer * count * inner; j++) {
                long oi = j / inner, i = j - oi * inner, o = oi / count, k = oi - o * count;
                long r = shared ? k % size : (j * 7) % size;  // any valid index
                long from = (o * size + r) * inner + i;
                long naiveO = j / ((long) count * inner), naiveK = (j / inner) % count, naiveI = j % inner;
                assertArrayEquals(new long[] {naiveO, naiveK, naiveI}, new long[] {o, k, i}, "position " + j);
                assertEquals(naiveO * size * inner + r * inner + naiveI, from);
            }
        }
    }

    /** kiln_index_scatter_add_f32: the column threads' (k, source) visits cover each source entry once, each column in increasing k. */
    @Test
    void scatterColumnsVisitEverySourceOnceInOrder() {
        int outer = 3, count = 5, inner = 4;
        int[] visits = new int[outer * count * inner];
        for (long c = 0; c < (long) outer * inner; c++) {
            long o = c / inner, i = c - o * inner;
            List<Long> ks = new ArrayList<>();
            for (long k = 0; k < count; k++) {
                long s = (o * count + k) * inner + i;
                visits[(int) s]++;
                ks.add(k);
                assertEquals(o, s / ((long) count * inner), "column " + c + " stays in its outer block");
                assertEquals(i, s % inner, "column " + c + " stays in its inner position");
            }
            assertEquals(ks.stream().sorted().toList(), ks);
        }
        for (int v : visits) assertEquals(1, v);
    }

    /** kiln_one_hot_i64: total = max(n * classes, n) threads; e below n checks value e, e below n * classes writes. */
    @Test
    void oneHotChecksEveryValueOnceAndWritesEveryCell() {
        for (long classes : new long[] {0, 1, 4}) {
            long n = 7, total = Math.max(n * classes, n);
            int[] checked = new int[(int) n];
            int[] written = new int[(int) (n * classes)];
            for (long e = 0; e < total; e++) {
                if (e < n) checked[(int) e]++;
                if (e < n * classes) written[(int) e]++;
            }
            for (int v : checked) assertEquals(1, v, "classes " + classes);
            for (int v : written) assertEquals(1, v, "classes " + classes);
        }
    }
}
