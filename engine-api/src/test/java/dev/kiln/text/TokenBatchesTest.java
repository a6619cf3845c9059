package dev.kiln.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.Batch;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Generator;
import dev.kiln.testing.HostOnlyBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Language-model batches from a hand-made stream whose token at position i is 100 + i. */
class TokenBatchesTest {
    private final Backend backend = HostOnlyBackend.create();

    private static int[] stream(int n) {
        int[] s = new int[n];
        for (int i = 0; i < n; i++) s[i] = 100 + i;
        return s;
    }

    /** Rows of field {@code name} as long[B][T]. */
    private static long[][] rows(Batch b, String name) {
        long[] flat = b.get(name).toLongArray();
        int bs = b.get(name).size(0), t = b.get(name).size(1);
        long[][] out = new long[bs][];
        for (int i = 0; i < bs; i++) out[i] = Arrays.copyOfRange(flat, i * t, (i + 1) * t);
        return out;
    }

    @Test
    void randomWindowsAreTheGeneratorsStartsWithTargetsShiftedByOne() {
        int[] s = stream(20);
        try (Batch b = new TokenBatches(backend, s, 3, 4, new Generator(5)).get()) {
            assertEquals(List.of("tokens", "targets"), b.names());
            assertEquals("targets", b.targetName());
            assertEquals(DType.INT64, b.get("tokens").dtype());
            assertArrayEquals(new int[] {3, 4}, b.get("tokens").shape());
            assertArrayEquals(new int[] {3, 4}, b.target().shape());
            Generator g = new Generator(5);
            long[][] in = rows(b, "tokens"), out = rows(b, "targets");
            for (int i = 0; i < 3; i++) {
                int start = g.nextInt(20 - 4); // starts 0..15: the last window's target is token 19
                assertArrayEquals(new long[] {100 + start, 101 + start, 102 + start, 103 + start}, in[i], "row " + i);
                assertArrayEquals(new long[] {101 + start, 102 + start, 103 + start, 104 + start}, out[i], "row " + i);
            }
        }
        assertEquals(0, backend.bytesInUse());
    }

    @Test
    void theLastPossibleWindowEndsAtTheStreamsEnd() {
        // a stream of exactly T + 1 tokens has one window
        try (Batch b = new TokenBatches(backend, stream(5), 2, 4, new Generator(1)).get()) {
            assertArrayEquals(new long[] {100, 101, 102, 103, 100, 101, 102, 103}, b.get("tokens").toLongArray());
            assertArrayEquals(new long[] {101, 102, 103, 104, 101, 102, 103, 104}, b.get("targets").toLongArray());
        }
    }

    @Test
    void sameSeedSameBatchesAndResumingFromTheGeneratorsPosition() {
        int[] s = stream(1000);
        List<long[]> first = new ArrayList<>();
        Generator g = new Generator(42);
        TokenBatches batches = new TokenBatches(backend, s, 4, 8, g);
        long afterTwo = 0;
        for (int k = 0; k < 4; k++) {
            try (Batch b = batches.get()) {
                first.add(b.get("tokens").toLongArray());
            }
            if (k == 1) afterTwo = g.advance(0);
        }
        TokenBatches again = new TokenBatches(backend, s, 4, 8, new Generator(42));
        for (int k = 0; k < 4; k++) {
            try (Batch b = again.get()) {
                assertArrayEquals(first.get(k), b.get("tokens").toLongArray(), "batch " + k);
            }
        }
        Generator resumed = new Generator(42);
        resumed.advance(afterTwo);
        try (Batch b = new TokenBatches(backend, s, 4, 8, resumed).get()) {
            assertArrayEquals(first.get(2), b.get("tokens").toLongArray(), "a restored generator continues with batch 2");
        }
        try (Batch b = new TokenBatches(backend, s, 4, 8, new Generator(43)).get()) {
            assertFalse(Arrays.equals(first.get(0), b.get("tokens").toLongArray()), "another seed draws other windows");
        }
    }

    @Test
    void sequentialWindowsCoverTheStreamInOrder() {
        // 11 tokens, T = 3: windows start at 0, 3, 6 (the one at 9 would need token 12); B = 2
        SequentialTokenBatches seq = new SequentialTokenBatches(backend, stream(11), 2, 3);
        assertEquals(3, seq.windows());
        assertEquals(2, seq.size());
        for (int pass = 0; pass < 2; pass++) {
            List<Batch> all = new ArrayList<>();
            seq.forEach(all::add);
            assertEquals(2, all.size());
            assertArrayEquals(new long[][] {{100, 101, 102}, {103, 104, 105}}, rows(all.get(0), "tokens"));
            assertArrayEquals(new long[][] {{101, 102, 103}, {104, 105, 106}}, rows(all.get(0), "targets"));
            assertArrayEquals(new long[][] {{106, 107, 108}}, rows(all.get(1), "tokens"));
            assertArrayEquals(new long[][] {{107, 108, 109}}, rows(all.get(1), "targets"));
            all.forEach(Batch::close);
        }
        SequentialTokenBatches capped = new SequentialTokenBatches(backend, stream(11), 1, 3, 2);
        assertEquals(2, capped.size());
        List<Batch> two = new ArrayList<>();
        capped.forEach(two::add);
        assertArrayEquals(new long[][] {{103, 104, 105}}, rows(two.get(1), "tokens"));
        two.forEach(Batch::close);
        assertEquals(0, backend.bytesInUse());
    }

    @Test
    void errorsNameTheLengths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TokenBatches(backend, stream(4), 2, 4, new Generator(1)));
        assertTrue(e.getMessage().contains("TokenBatches: the token stream has 4 tokens; context 4 needs at least 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SequentialTokenBatches(backend, stream(3), 2, 4));
        assertTrue(e.getMessage().contains("SequentialTokenBatches: the token stream has 3 tokens; context 4 needs at least 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TokenBatches(backend, stream(10), 0, 4, new Generator(1)));
        assertTrue(e.getMessage().contains("batchSize must be at least 1, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SequentialTokenBatches(backend, stream(10), 1, 0));
        assertTrue(e.getMessage().contains("context must be at least 1, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SequentialTokenBatches(backend, stream(10), 1, 2, 0));
        assertTrue(e.getMessage().contains("maxBatches must be at least 1, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TokenBatches.windows(backend, stream(10), new int[] {0, 7}, 3));
        assertTrue(e.getMessage().contains("window 1 starts at 7; with context 3 it needs positions up to 10 of a stream of 10 tokens"), e.getMessage());
        assertEquals(0, backend.bytesInUse());
    }
}
