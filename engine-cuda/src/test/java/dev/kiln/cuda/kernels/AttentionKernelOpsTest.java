package dev.kiln.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.kernels.KernelNames;
import dev.kiln.spi.AttentionSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The attention launches without a GPU: the tile fits the 48 KiB of shared memory and is the
 * largest that does, the grid covers every (problem, tile) work item, arguments follow the kernels'
 * parameter order (a BOOL mask as kind 2), an unwanted gradient skips its kernel, and empty problems
 * launch nothing.
 */
class AttentionKernelOpsTest {
    private final RecordingLauncher rec = new RecordingLauncher();
    private final KernelOps ops = new KernelOps(rec);

    private static AttentionSpec spec(int outer, int heads, int lq, int lk, int e, int ev) {
        return new AttentionSpec(outer, heads, lq, lk, e, ev, 0.5f, false, AttentionSpec.MaskKind.NONE, new long[4], 0f, 0L, 0L);
    }

    @Test
    void tileIsTheLargestThatFitsSharedMemory() {
        for (int[] sizes : new int[][] {{1, 1}, {16, 8}, {64, 64}, {128, 128}, {256, 64}, {1000, 3}}) {
            int t = KernelOps.attentionTile(sizes[0], sizes[1]);
            assertTrue(KernelOps.attentionSharedBytes(t, sizes[0], sizes[1]) <= KernelOps.ATTENTION_SHARED_LIMIT, "tile " + t);
            if (t < 32) assertTrue(KernelOps.attentionSharedBytes(2 * t, sizes[0], sizes[1]) > KernelOps.ATTENTION_SHARED_LIMIT, "tile " + t);
        }
        assertEquals(16, KernelOps.attentionTile(64, 64));  // dk/dv at 32: 4 * (32 * 384 + 2 * 1024 + 64) = 57,600 bytes
        assertEquals(32, KernelOps.attentionTile(16, 16));
        var e = assertThrows(IllegalArgumentException.class, () -> KernelOps.attentionTile(3000, 3000));
        assertTrue(e.getMessage().contains("48 KiB"), e.getMessage());
    }

    @Test
    void forwardCoversEveryQueryTileWithTheSpecFields() {
        AttentionSpec s = new AttentionSpec(3, 2, 70, 40, 8, 4, 0.25f, true, AttentionSpec.MaskKind.ADDITIVE,
                new long[] {0, 2800, 40, 1}, 0.1f, 99L, 12L);
        ops.attention(s, 1, 2, 3, 4, 5, 6);
        RecordingLauncher.Launch l = rec.last();
        assertEquals(KernelNames.ATTENTION_FORWARD_F32, l.kernel());
        int tile = KernelOps.attentionTile(8, 4);
        assertEquals(6 * ((70 + tile - 1) / tile), l.gridX());
        assertEquals(KernelOps.attentionSharedBytes(tile, 8, 4), l.shared());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 3L, 2, 70, 40, 8, 4, 0.25f, 1, 1, 0L, 2800L, 40L, 1L, 0.1f, 99L, 12L, tile),
                l.args());
    }

    /** A BOOL mask travels as the same pointer with mask kind 2 (attention.cu reads bytes for it) and the same strides. */
    @Test
    void booleanMaskPassesKindTwo() {
        AttentionSpec s = new AttentionSpec(2, 1, 5, 6, 4, 4, 0.5f, false, AttentionSpec.MaskKind.BOOLEAN,
                new long[] {6, 0, 0, 1}, 0f, 0L, 0L);
        ops.attention(s, 1, 2, 3, 4, 5, 6);
        List<Object> args = rec.last().args();
        assertEquals(4L, args.get(3), "mask pointer");
        assertEquals(List.of(2, 6L, 0L, 0L, 1L), args.subList(14, 19), "mask kind and strides");
        ops.attentionBackward(s, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertEquals(List.of(2, 6L, 0L, 0L, 1L), rec.last().args().subList(17, 22), "dk/dv kernel: mask kind and strides");
    }

    @Test
    void backwardSkipsUnwantedGradients() {
        AttentionSpec s = spec(1, 2, 50, 90, 16, 16);
        ops.attentionBackward(s, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10);
        assertEquals(1, rec.launches.size());
        assertEquals(KernelNames.ATTENTION_BACKWARD_DKDV_F32, rec.last().kernel());
        int tile = KernelOps.attentionTile(16, 16);
        assertEquals(2 * ((90 + tile - 1) / tile), rec.last().gridX());
        ops.attentionBackward(s, 1, 2, 3, 0, 5, 6, 7, 8, 0, 0);
        assertEquals(KernelNames.ATTENTION_BACKWARD_DQ_F32, rec.last().kernel());
        assertEquals(2 * ((50 + tile - 1) / tile), rec.last().gridX());
        assertEquals(2, rec.launches.size());
    }

    @Test
    void emptyProblemsLaunchNothing() {
        ops.attention(spec(0, 4, 10, 10, 8, 8), 1, 2, 3, 0, 5, 6);
        ops.attention(spec(2, 4, 0, 10, 8, 8), 1, 2, 3, 0, 5, 6);
        ops.attentionBackward(spec(2, 4, 10, 0, 8, 8), 1, 2, 3, 0, 5, 6, 7, 0, 9, 10);
        assertEquals(List.of(), rec.launches);
    }
}
