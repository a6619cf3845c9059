package dev.kiln.cpu.kernels;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.RnnCellSpec;
import java.lang.foreign.MemorySegment;

/**
 * The fused pointwise parts of the LSTM and GRU cells (see {@link dev.kiln.spi.Backend#lstmCell}
 * and {@link dev.kiln.spi.Backend#gruCell}), computed by {@link CellRows#get()}. Rows of the batch
 * run in parallel; each element is computed from its own inputs alone, so results do not depend
 * on the thread count.
 */
public final class RnnCells {
    /** Elements of a state tensor worth a task. */
    private static final long GRAIN = 1 << 13;

    private RnnCells() {}

    /** Forward LSTM cell: gates i, f, g, o; writes h, c and the activated gates. */
    public static void lstm(CpuThreadPool pool, RnnCellSpec spec, MemorySegment xg, MemorySegment hg, MemorySegment cPrev,
                            MemorySegment h, MemorySegment c, MemorySegment act) {
        CellRows k = CellRows.get();
        rows(pool, spec, (r0, r1) -> k.lstm(spec.hidden(), xg, hg, cPrev, h, c, act, r0, r1));
    }

    /** Backward LSTM cell: gradients of the pre-activation gates and of cPrev. */
    public static void lstmBackward(CpuThreadPool pool, RnnCellSpec spec, MemorySegment act, MemorySegment cPrev, MemorySegment c,
                                    MemorySegment gh, MemorySegment gc, MemorySegment gGates, MemorySegment gcPrev) {
        CellRows k = CellRows.get();
        rows(pool, spec, (r0, r1) -> k.lstmBackward(spec.hidden(), act, cPrev, c, gh, gc, gGates, gcPrev, r0, r1));
    }

    /** Forward GRU cell: gates r, z, n; writes h and the activated gates. */
    public static void gru(CpuThreadPool pool, RnnCellSpec spec, MemorySegment xg, MemorySegment hg, MemorySegment hPrev,
                           MemorySegment h, MemorySegment act) {
        CellRows k = CellRows.get();
        rows(pool, spec, (r0, r1) -> k.gru(spec.hidden(), xg, hg, hPrev, h, act, r0, r1));
    }

    /** Backward GRU cell: gradients of both projections and of hPrev through the pointwise part. */
    public static void gruBackward(CpuThreadPool pool, RnnCellSpec spec, MemorySegment act, MemorySegment hg, MemorySegment hPrev,
                                   MemorySegment gh, MemorySegment gxg, MemorySegment ghg, MemorySegment ghPrev) {
        CellRows k = CellRows.get();
        rows(pool, spec, (r0, r1) -> k.gruBackward(spec.hidden(), act, hg, hPrev, gh, gxg, ghg, ghPrev, r0, r1));
    }

    private static void rows(CpuThreadPool pool, RnnCellSpec spec, CpuThreadPool.RangeBody body) {
        if (spec.stateNumel() == 0) return;
        pool.parallelRange(spec.batch(), Math.max(1, GRAIN / Math.max(1, spec.hidden())), body);
    }
}
