package dev.kiln.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The strided-copy parameter record: extents worked by hand, the permute it generalises, and its validation. */
class StridedCopySpecTest {
    @Test
    void extentsAndFactories() {
        // rows 1..2 of a [4, 5] tensor: reads elements 5..14, writes a contiguous [2, 5]
        StridedCopySpec narrow = StridedCopySpec.gather(new int[] {2, 5}, 5, new long[] {5, 1});
        assertEquals(15, narrow.inExtent());
        assertEquals(10, narrow.outExtent());
        assertArrayEquals(new long[] {5, 1}, narrow.outStrides());
        StridedCopySpec back = StridedCopySpec.scatter(new int[] {2, 5}, 5, new long[] {5, 1});
        assertEquals(10, back.inExtent());
        assertEquals(15, back.outExtent());
        StridedCopySpec broadcast = StridedCopySpec.gather(new int[] {3, 4}, 2, new long[] {0, 1});
        assertEquals(6, broadcast.inExtent());
        assertEquals(0, StridedCopySpec.gather(new int[] {3, 0}, 9, new long[] {0, 1}).inExtent());
        assertEquals(12, broadcast.numel());
        assertEquals(2, broadcast.rank());
    }

    @Test
    void permuteIsAGatherAtItsSourceStrides() {
        StridedCopySpec s = new PermuteSpec(new int[] {2, 3, 4}, new int[] {2, 0, 1}).copySpec();
        assertArrayEquals(new int[] {4, 2, 3}, s.shape());
        assertArrayEquals(new long[] {1, 12, 4}, s.inStrides());
        assertArrayEquals(new long[] {6, 3, 1}, s.outStrides());
        assertEquals(0, s.inOffset());
        assertEquals(0, s.outOffset());
    }

    @Test
    void rejectsBadSpecsAndSmallStorages() {
        assertMessage(() -> new StridedCopySpec(new int[] {2, 3}, 0, new long[] {3}, 0, new long[] {3, 1}), "stridedCopy", "expected 2 strides");
        assertMessage(() -> StridedCopySpec.gather(new int[] {2, 3}, -1, new long[] {3, 1}), "stridedCopy", "offsets must be non-negative");
        assertMessage(() -> StridedCopySpec.gather(new int[] {2, 3}, 0, new long[] {-3, 1}), "stridedCopy", "negative", "dimension 0");
        assertMessage(() -> StridedCopySpec.scatter(new int[] {2, 3}, 0, new long[] {0, 1}), "stridedCopy", "output stride 0", "dimension 0");
        StridedCopySpec ok = StridedCopySpec.gather(new int[] {2, 5}, 5, new long[] {5, 1});
        ok.checkFits(15, 10);
        assertMessage(() -> ok.checkFits(14, 10), "stridedCopy", "needs 15 input", "hold 14");
        assertMessage(() -> ok.checkFits(15, 9), "stridedCopy", "10 output", "and 9");
    }

    private static void assertMessage(Runnable r, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' lacks '" + f + "'");
    }
}
