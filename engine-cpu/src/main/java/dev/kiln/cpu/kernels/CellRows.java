package dev.kiln.cpu.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The pointwise LSTM and GRU cell math over a range of batch rows, as {@link RnnCells} runs it.
 * {@link #get()} picks the Vector API implementation (float lanes, loaded reflectively from
 * {@code dev.kiln.cpu.simd}) when {@link MicroKernels} uses SIMD, else {@link ScalarCellRows}
 * (double precision). Each element is computed from its own inputs alone, the same way whichever
 * row range it falls in, so results do not depend on how rows are split between threads. Gate
 * layouts are PyTorch's: LSTM {@code i, f, g, o}, GRU {@code r, z, n}, each {@code hidden} wide.
 */
public interface CellRows {
    /**
     * Forward LSTM cell on rows {@code [r0, r1)}: writes h, c and the activated gates.
     *
     * @param hid   hidden size
     * @param xg    input projections {@code [B, 4H]}
     * @param hg    recurrent projections {@code [B, 4H]}
     * @param cPrev previous cell state {@code [B, H]}
     * @param h     new hidden state {@code [B, H]}
     * @param c     new cell state {@code [B, H]}
     * @param act   activated gates {@code [B, 4H]}
     * @param r0    first row
     * @param r1    end row (exclusive)
     */
    void lstm(int hid, MemorySegment xg, MemorySegment hg, MemorySegment cPrev, MemorySegment h, MemorySegment c,
              MemorySegment act, long r0, long r1);

    /**
     * Backward LSTM cell on rows {@code [r0, r1)}: gradients of the pre-activation gates and of cPrev.
     *
     * @param hid    hidden size
     * @param act    activated gates saved by the forward {@code [B, 4H]}
     * @param cPrev  previous cell state {@code [B, H]}
     * @param c      new cell state {@code [B, H]}
     * @param gh     gradient of h {@code [B, H]}
     * @param gc     gradient of c {@code [B, H]}
     * @param gGates gradient of the pre-activation gates {@code [B, 4H]}
     * @param gcPrev gradient of cPrev {@code [B, H]}
     * @param r0     first row
     * @param r1     end row (exclusive)
     */
    void lstmBackward(int hid, MemorySegment act, MemorySegment cPrev, MemorySegment c, MemorySegment gh, MemorySegment gc,
                      MemorySegment gGates, MemorySegment gcPrev, long r0, long r1);

    /**
     * Forward GRU cell on rows {@code [r0, r1)}: writes h and the activated gates.
     *
     * @param hid   hidden size
     * @param xg    input projections {@code [B, 3H]}
     * @param hg    recurrent projections {@code [B, 3H]}
     * @param hPrev previous hidden state {@code [B, H]}
     * @param h     new hidden state {@code [B, H]}
     * @param act   activated gates {@code [B, 3H]}
     * @param r0    first row
     * @param r1    end row (exclusive)
     */
    void gru(int hid, MemorySegment xg, MemorySegment hg, MemorySegment hPrev, MemorySegment h, MemorySegment act, long r0, long r1);

    /**
     * Backward GRU cell on rows {@code [r0, r1)}: gradients of both projections and of hPrev through the pointwise part.
     *
     * @param hid    hidden size
     * @param act    activated gates saved by the forward {@code [B, 3H]}
     * @param hg     recurrent projections {@code [B, 3H]}
     * @param hPrev  previous hidden state {@code [B, H]}
     * @param gh     gradient of h {@code [B, H]}
     * @param gxg    gradient of the input projections {@code [B, 3H]}
     * @param ghg    gradient of the recurrent projections {@code [B, 3H]}
     * @param ghPrev gradient of hPrev through the pointwise part {@code [B, H]}
     * @param r0     first row
     * @param r1     end row (exclusive)
     */
    void gruBackward(int hid, MemorySegment act, MemorySegment hg, MemorySegment hPrev, MemorySegment gh, MemorySegment gxg,
                     MemorySegment ghg, MemorySegment ghPrev, long r0, long r1);

    /** {@return a name for logs and tests} */
    String name();

    /** {@return the implementation matching the GEMM micro-kernel's choice (SIMD unless turned off or absent)} */
    static CellRows get() {
        return CellRowsChoice.CHOSEN;
    }

    /** {@return the double-precision scalar implementation, whatever {@link #get()} chose} */
    static CellRows scalar() {
        return CellRowsChoice.SCALAR;
    }
}
