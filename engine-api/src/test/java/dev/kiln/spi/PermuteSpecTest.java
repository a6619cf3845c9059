package dev.kiln.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The permute parameter record: shapes and strides worked by hand, and its validation. */
class PermuteSpecTest {
    @Test
    void shapesStridesAndInverse() {
        PermuteSpec s = new PermuteSpec(new int[] {2, 3, 4, 5}, new int[] {0, 3, 1, 2});
        assertArrayEquals(new int[] {2, 5, 3, 4}, s.outShape());
        // input strides [60, 20, 5, 1], walked in the order 0, 3, 1, 2
        assertArrayEquals(new long[] {60, 1, 20, 5}, s.sourceStrides());
        assertArrayEquals(new int[] {0, 2, 3, 1}, s.inversePerm());
        assertEquals(120, s.numel());
        assertEquals(4, s.rank());
    }

    @Test
    void arraysAreCopied() {
        int[] shape = {2, 3}, perm = {1, 0};
        PermuteSpec s = new PermuteSpec(shape, perm);
        shape[0] = 9;
        perm[0] = 0;
        assertArrayEquals(new int[] {3, 2}, s.outShape());
    }

    @Test
    void rejectsWhatIsNotAPermutation() {
        assertMessage(() -> new PermuteSpec(new int[] {2, 3}, new int[] {0}), "permute", "expected 2 dimensions", "[2, 3]", "got 1");
        assertMessage(() -> new PermuteSpec(new int[] {2, 3}, new int[] {0, 2}), "permute", "dimension 2 out of range", "[2, 3]");
        assertMessage(() -> new PermuteSpec(new int[] {2, 3}, new int[] {-1, 0}), "permute", "dimension -1 out of range");
        assertMessage(() -> new PermuteSpec(new int[] {2, 3, 4}, new int[] {1, 1, 0}), "permute", "dimension 1 repeats", "[1, 1, 0]");
    }

    private static void assertMessage(Runnable r, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' lacks '" + f + "'");
    }
}
