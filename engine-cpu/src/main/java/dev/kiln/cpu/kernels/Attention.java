package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.AttentionSpec;
import dev.kiln.spi.Philox;
import java.lang.foreign.MemorySegment;

/**
 * Fused scaled dot-product attention, FlashAttention-2 style: the scores exist only one
 * {@value #BQ} x {@value #BK} tile at a time, so memory beyond the inputs and outputs is a few
 * tiles per task, whatever the sequence lengths.
 *
 * <ul>
 *   <li>Forward: one task per (problem, query block) walks the key blocks with an online softmax
 *       (running max and sum, the partial output rescaled when the max grows) and writes the
 *       output and each row's log-sum-exp.</li>
 *   <li>Backward: {@code P = exp(score - lse)} is recomputed, never stored. Query gradients come from
 *       one task per (problem, query block) walking the key blocks; key and value gradients from one
 *       task per (problem, key block) walking the query blocks. Every gradient element is thus
 *       summed by one task in a fixed order, so results are bit-identical for any thread count, with
 *       no atomics and no per-thread partial buffers (at the price of computing the scores twice).</li>
 * </ul>
 *
 * With dropout mask M (0 or {@code 1/(1-p)}) and {@code D_i = sum_x dO_ix O_ix} (which equals
 * {@code sum_j P_ij M_ij dP'_ij}): {@code dV_j += P_ij M_ij dO_i}, {@code dS_ij = P_ij (M_ij (dO_i . V_j) - D_i)},
 * {@code dQ_i += scale dS_ij K_j}, {@code dK_j += scale dS_ij Q_i}.
 */
public final class Attention {
    /** Query rows per task. */
    static final int BQ = 64;
    /** Keys per tile. */
    static final int BK = 64;

    private Attention() {}

    /** The inputs of one call, read through the spec's layout. */
    private record Io(AttentionSpec s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask, long[] ms) {
        Io(AttentionSpec s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask) {
            this(s, q, k, v, mask, s.maskStrides());
        }

        /** The mask added to score (b, i, j): 0 without a mask, a BOOLEAN mask's zero byte as {@code -inf}. */
        float mask(int b, int i, int j) {
            if (mask == null) return 0f;
            int o = b / s.heads(), h = b % s.heads();
            long at = o * ms[0] + h * ms[1] + i * ms[2] + j * ms[3];
            if (s.maskKind() == AttentionSpec.MaskKind.BOOLEAN) return mask.get(JAVA_BYTE, at) != 0 ? 0f : Float.NEGATIVE_INFINITY;
            return mask.getAtIndex(JAVA_FLOAT, at);
        }

        /** Keys a query block [i0, i0 + nq) may see: all, or under causal masking those up to its last row. */
        int keyEnd(int i0, int nq) {
            return s.causal() ? Math.min(s.lk(), i0 + nq) : s.lk();
        }

        /** Rows [row, row + n) of a {@code [batch * rows, width]} segment into {@code dst}. */
        static void load(MemorySegment src, long row, int n, int width, float[] dst) {
            MemorySegment.copy(src, JAVA_FLOAT, row * width * 4L, dst, 0, n * width);
        }
    }

    /** Dropout weights of key block [j0, j0 + n) for query row i of problem b (1 when there is no dropout). */
    private static void keep(AttentionSpec s, int b, int i, int j0, int n, float[] out) {
        float p = s.dropoutP();
        if (p == 0f) {
            java.util.Arrays.fill(out, 0, n, 1f);
            return;
        }
        float w = p >= 1f ? 0f : 1f / (1f - p);
        long first = s.offset() + ((long) b * s.lq() + i) * s.lk() + j0;
        long cached = -1;
        int[] block = null;
        for (int c = 0; c < n; c++) {
            long index = first + c, ctr = index >>> 2;
            if (ctr != cached) {
                block = Philox.block((int) ctr, (int) (ctr >>> 32), 0, 0, s.seed());
                cached = ctr;
            }
            float u = (block[(int) (index & 3)] >>> 8) * 0x1.0p-24f;
            out[c] = p < 1f && u >= p ? w : 0f;
        }
    }

    /** Forward: {@code out} and {@code lse}; see the class comment. */
    public static void forward(CpuThreadPool pool, AttentionSpec s, MemorySegment q, MemorySegment k, MemorySegment v,
                               MemorySegment mask, MemorySegment out, MemorySegment lse) {
        Io io = new Io(s, q, k, v, mask);
        int qBlocks = (s.lq() + BQ - 1) / BQ;
        pool.parallelFor(Math.toIntExact(s.batch() * qBlocks), t -> forwardBlock(io, t / qBlocks, t % qBlocks * BQ, out, lse));
    }

    private static void forwardBlock(Io io, int b, int i0, MemorySegment out, MemorySegment lse) {
        AttentionSpec s = io.s();
        RowOps ops = RowOps.get();
        int e = s.e(), ev = s.ev(), nq = Math.min(BQ, s.lq() - i0);
        float[] qt = new float[nq * e], kt = new float[BK * e], vt = new float[BK * ev], acc = new float[nq * ev];
        float[] scores = new float[BK], keep = new float[BK];
        float[] max = new float[nq];
        double[] sum = new double[nq];
        java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
        Io.load(io.q(), (long) b * s.lq() + i0, nq, e, qt);
        int kEnd = io.keyEnd(i0, nq);
        for (int j0 = 0; j0 < kEnd; j0 += BK) {
            int nk = Math.min(BK, kEnd - j0);
            Io.load(io.k(), (long) b * s.lk() + j0, nk, e, kt);
            Io.load(io.v(), (long) b * s.lk() + j0, nk, ev, vt);
            for (int r = 0; r < nq; r++) {
                int i = i0 + r;
                float rowMax = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < nk; c++) {
                    int j = j0 + c;
                    float sc = s.causal() && j > i ? Float.NEGATIVE_INFINITY : s.scale() * ops.dot(qt, r * e, kt, c * e, e) + io.mask(b, i, j);
                    scores[c] = sc;
                    rowMax = Math.max(rowMax, sc);
                }
                float newMax = Math.max(max[r], rowMax);
                if (newMax == Float.NEGATIVE_INFINITY) continue; // every score so far is -inf: nothing to add
                float corr = (float) Math.exp(max[r] - newMax);   // 0 on the first finite block
                keep(s, b, i, j0, nk, keep);
                double blockSum = 0;
                for (int c = 0; c < nk; c++) {
                    float pr = (float) Math.exp(scores[c] - newMax);
                    blockSum += pr;
                    scores[c] = pr * keep[c];
                }
                sum[r] = sum[r] * corr + blockSum;
                max[r] = newMax;
                if (corr != 1f) for (int x = 0; x < ev; x++) acc[r * ev + x] *= corr;
                for (int c = 0; c < nk; c++) if (scores[c] != 0f) ops.axpy(scores[c], vt, c * ev, acc, r * ev, ev);
            }
        }
        long row0 = (long) b * s.lq() + i0;
        for (int r = 0; r < nq; r++) {
            // Only a fully masked row keeps max = -inf; any other row has sum >= 1 (or NaN, which propagates).
            boolean any = max[r] != Float.NEGATIVE_INFINITY;
            float inv = any ? (float) (1.0 / sum[r]) : 0f;
            for (int x = 0; x < ev; x++) acc[r * ev + x] = any ? acc[r * ev + x] * inv : 0f;
            lse.setAtIndex(JAVA_FLOAT, row0 + r, any ? (float) (max[r] + Math.log(sum[r])) : Float.NEGATIVE_INFINITY);
        }
        MemorySegment.copy(acc, 0, out, JAVA_FLOAT, row0 * ev * 4L, nq * ev);
    }

    /** Backward: whichever of {@code gq}, {@code gk}, {@code gv} is not null; see the class comment. */
    public static void backward(CpuThreadPool pool, AttentionSpec s, MemorySegment q, MemorySegment k, MemorySegment v,
                                MemorySegment mask, MemorySegment out, MemorySegment lse, MemorySegment gOut,
                                MemorySegment gq, MemorySegment gk, MemorySegment gv) {
        Io io = new Io(s, q, k, v, mask);
        if (gq != null) {
            int qBlocks = (s.lq() + BQ - 1) / BQ;
            pool.parallelFor(Math.toIntExact(s.batch() * qBlocks), t -> queryGradBlock(io, t / qBlocks, t % qBlocks * BQ, out, lse, gOut, gq));
        }
        if (gk != null || gv != null) {
            int kBlocks = (s.lk() + BK - 1) / BK;
            pool.parallelFor(Math.toIntExact(s.batch() * kBlocks), t -> keyGradBlock(io, t / kBlocks, t % kBlocks * BK, out, lse, gOut, gk, gv));
        }
    }

    /** The rows of a query block the backward needs: queries, output gradients, {@code D} and {@code lse}. */
    private record QueryRows(float[] q, float[] dOut, float[] delta, float[] lse) {
        static QueryRows load(Io io, int b, int i0, int nq, MemorySegment out, MemorySegment lse, MemorySegment gOut,
                              QueryRows reuse) {
            AttentionSpec s = io.s();
            int e = s.e(), ev = s.ev();
            QueryRows rows = reuse != null ? reuse : new QueryRows(new float[BQ * e], new float[BQ * ev], new float[BQ], new float[BQ]);
            long row0 = (long) b * s.lq() + i0;
            Io.load(io.q(), row0, nq, e, rows.q);
            Io.load(gOut, row0, nq, ev, rows.dOut);
            float[] o = new float[ev];
            for (int r = 0; r < nq; r++) {
                MemorySegment.copy(out, JAVA_FLOAT, (row0 + r) * ev * 4L, o, 0, ev);
                rows.delta[r] = RowOps.get().dot(rows.dOut, r * ev, o, 0, ev);
                rows.lse[r] = lse.getAtIndex(JAVA_FLOAT, row0 + r);
            }
            return rows;
        }
    }

    private static void queryGradBlock(Io io, int b, int i0, MemorySegment out, MemorySegment lse, MemorySegment gOut,
                                       MemorySegment gq) {
        AttentionSpec s = io.s();
        RowOps ops = RowOps.get();
        int e = s.e(), ev = s.ev(), nq = Math.min(BQ, s.lq() - i0);
        QueryRows rows = QueryRows.load(io, b, i0, nq, out, lse, gOut, null);
        float[] kt = new float[BK * e], vt = new float[BK * ev], dq = new float[nq * e], keep = new float[BK];
        int kEnd = io.keyEnd(i0, nq);
        for (int j0 = 0; j0 < kEnd; j0 += BK) {
            int nk = Math.min(BK, kEnd - j0);
            Io.load(io.k(), (long) b * s.lk() + j0, nk, e, kt);
            Io.load(io.v(), (long) b * s.lk() + j0, nk, ev, vt);
            for (int r = 0; r < nq; r++) {
                int i = i0 + r;
                float rowLse = rows.lse[r];
                if (rowLse == Float.NEGATIVE_INFINITY) continue; // fully masked row: no gradient
                keep(s, b, i, j0, nk, keep);
                for (int c = 0; c < nk; c++) {
                    int j = j0 + c;
                    if (s.causal() && j > i) break;
                    float p = (float) Math.exp(s.scale() * ops.dot(rows.q, r * e, kt, c * e, e) + io.mask(b, i, j) - rowLse);
                    float ds = p * (keep[c] * ops.dot(rows.dOut, r * ev, vt, c * ev, ev) - rows.delta[r]);
                    if (ds != 0f) ops.axpy(ds, kt, c * e, dq, r * e, e);
                }
            }
        }
        for (int x = 0; x < dq.length; x++) dq[x] *= s.scale();
        MemorySegment.copy(dq, 0, gq, JAVA_FLOAT, ((long) b * s.lq() + i0) * e * 4L, nq * e);
    }

    private static void keyGradBlock(Io io, int b, int j0, MemorySegment out, MemorySegment lse, MemorySegment gOut,
                                     MemorySegment gk, MemorySegment gv) {
        AttentionSpec s = io.s();
        RowOps ops = RowOps.get();
        int e = s.e(), ev = s.ev(), nk = Math.min(BK, s.lk() - j0);
        float[] kt = new float[nk * e], vt = new float[nk * ev], dk = new float[nk * e], dv = new float[nk * ev];
        float[] keep = new float[BK];
        Io.load(io.k(), (long) b * s.lk() + j0, nk, e, kt);
        Io.load(io.v(), (long) b * s.lk() + j0, nk, ev, vt);
        QueryRows rows = null;
        int iStart = s.causal() ? j0 / BQ * BQ : 0; // earlier queries see none of these keys
        for (int i0 = iStart; i0 < s.lq(); i0 += BQ) {
            int nq = Math.min(BQ, s.lq() - i0);
            rows = QueryRows.load(io, b, i0, nq, out, lse, gOut, rows);
            for (int r = 0; r < nq; r++) {
                int i = i0 + r;
                float rowLse = rows.lse[r];
                if (rowLse == Float.NEGATIVE_INFINITY) continue;
                keep(s, b, i, j0, nk, keep);
                for (int c = 0; c < nk; c++) {
                    int j = j0 + c;
                    if (s.causal() && j > i) break;
                    float p = (float) Math.exp(s.scale() * ops.dot(rows.q, r * e, kt, c * e, e) + io.mask(b, i, j) - rowLse);
                    float pd = p * keep[c];
                    float ds = p * (keep[c] * ops.dot(rows.dOut, r * ev, vt, c * ev, ev) - rows.delta[r]);
                    if (pd != 0f) ops.axpy(pd, rows.dOut, r * ev, dv, c * ev, ev);
                    if (ds != 0f) ops.axpy(ds, rows.q, r * e, dk, c * e, e);
                }
            }
        }
        long row0 = (long) b * s.lk() + j0;
        if (gk != null) {
            for (int x = 0; x < dk.length; x++) dk[x] *= s.scale();
            MemorySegment.copy(dk, 0, gk, JAVA_FLOAT, row0 * e * 4L, nk * e);
        }
        if (gv != null) MemorySegment.copy(dv, 0, gv, JAVA_FLOAT, row0 * ev * 4L, nk * ev);
    }
}
