package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.Philox;
import java.lang.foreign.MemorySegment;

/**
 * Dropout masks from {@link Philox}: one Philox block yields four consecutive elements, so the
 * block is computed once per four elements; values equal {@code Philox.uniform} by construction.
 */
public final class Dropout {
    private Dropout() {}

    /** {@code mask[i] = Philox.uniform(seed, offset + i) >= p ? 1/(1-p) : 0}; all zero when p == 1. */
    public static void mask(CpuThreadPool pool, long seed, long offset, float p, MemorySegment mask, long numel) {
        float keep = p >= 1f ? 0f : 1f / (1f - p);
        pool.parallelRange(numel, Elementwise.GRAIN, (st, e) -> {
            long cachedCounter = -1;
            int[] block = null;
            for (long i = st; i < e; i++) {
                long index = offset + i, ctr = index >>> 2;
                if (block == null || ctr != cachedCounter) {
                    block = Philox.block((int) ctr, (int) (ctr >>> 32), 0, 0, seed);
                    cachedCounter = ctr;
                }
                float u = (block[(int) (index & 3)] >>> 8) * 0x1.0p-24f;
                mask.setAtIndex(JAVA_FLOAT, i, p < 1f && u >= p ? keep : 0f);
            }
        });
    }
}
