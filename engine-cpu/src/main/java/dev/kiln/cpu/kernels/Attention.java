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
 * tiles per task (plus, in the one-pass backward, one problem's rows), whatever the sequence lengths.
 * Every product of tiles ({@code Q K^T}, {@code P V}, {@code dO V^T}, {@code P^T dO}, {@code dS^T Q},
 * {@code dS K}) is a register-blocked {@link RowOps#tile} call on tiles copied into float arrays
 * ({@code K^T} and {@code V^T} transposed once per key block); the exponentials of a tile row are
 * one {@link RowOps#exp} call (a float32 range reduction and polynomial, vectorised).
 *
 * <ul>
 *   <li>Forward: one task per (problem, query block) walks the key blocks with an online softmax
 *       (running max and sum, the partial output rescaled when the max grows) and writes the
 *       output and each row's log-sum-exp.</li>
 *   <li>Backward: {@code P = exp(score - lse)} is recomputed, never stored. With at least
 *       {@value #ONE_PASS_MIN_PROBLEMS} problems (a transformer's batch times heads), one task per
 *       problem walks key blocks, then query blocks, computing each score tile once: key and value
 *       gradients of the key block and the query block's gradient, added to that problem's query
 *       gradient rows in increasing key-block order. With fewer problems (one long sequence), two
 *       passes split the work finer: query gradients from one task per (problem, query block) walking
 *       the key blocks, key and value gradients from one task per (problem, key block) walking the
 *       query blocks (each score tile computed twice). Both visit the same tiles and add each
 *       gradient element in the same order with the same fused multiply-adds, so they give the same
 *       bits, and the choice depends on the shapes alone: results are bit-identical for any thread
 *       count, with no atomics and no per-thread partial buffers.</li>
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
    /** From this many (batch, head) problems on, the backward runs one pass per problem. */
    static final int ONE_PASS_MIN_PROBLEMS = 16;

    /** Slots of the per-thread scratch arrays. */
    private static final int Q = 0, K = 1, KT = 2, V = 3, VT = 4, S = 5, DS = 6, ACC = 7, DO = 8, DQ = 9, DK = 10, DV = 11,
            KEEP = 12, STATS = 13, O = 14;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[15][]);

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

        /** Whether query block [i0, i0 + nq) sees any key of the block starting at j0. */
        boolean visits(int i0, int nq, int j0) {
            return j0 < keyEnd(i0, nq);
        }
    }

    /** This thread's scratch array for {@code slot}, at least {@code size} long (contents undefined). */
    private static float[] scratch(int slot, int size) {
        float[][] all = SCRATCH.get();
        float[] a = all[slot];
        if (a == null || a.length < size) all[slot] = a = new float[size];
        return a;
    }

    /** Like {@link #scratch} but the first {@code size} elements are 0. */
    private static float[] zeroed(int slot, int size) {
        float[] a = scratch(slot, size);
        java.util.Arrays.fill(a, 0, size, 0f);
        return a;
    }

    /** Keys [j0, j0 + n) of a problem, {@code width} wide, as rows {@code rows} and transposed {@code t[x * BK + c]}. */
    private static void loadKeys(MemorySegment src, long row, int n, int width, float[] rows, float[] t) {
        Io.load(src, row, n, width, rows);
        for (int c = 0; c < n; c++) {
            for (int x = 0; x < width; x++) t[x * BK + c] = rows[c * width + x];
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
        float[] qt = scratch(Q, nq * e), kt = scratch(K, BK * e), kT = scratch(KT, BK * e), vt = scratch(V, BK * ev);
        float[] st = scratch(S, BQ * BK), keep = scratch(KEEP, BK), acc = zeroed(ACC, nq * ev), max = scratch(STATS, nq);
        double[] sum = new double[nq];
        java.util.Arrays.fill(max, 0, nq, Float.NEGATIVE_INFINITY);
        Io.load(io.q(), (long) b * s.lq() + i0, nq, e, qt);
        int kEnd = io.keyEnd(i0, nq);
        for (int j0 = 0; j0 < kEnd; j0 += BK) {
            int nk = Math.min(BK, kEnd - j0);
            loadKeys(io.k(), (long) b * s.lk() + j0, nk, e, kt, kT);
            Io.load(io.v(), (long) b * s.lk() + j0, nk, ev, vt);
            ops.tile(nq, nk, e, qt, 0, e, 1, kT, 0, BK, st, 0, BK, false);
            for (int r = 0; r < nq; r++) {
                int i = i0 + r, row = r * BK;
                float rowMax = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < nk; c++) {
                    int j = j0 + c;
                    float sc = s.causal() && j > i ? Float.NEGATIVE_INFINITY : s.scale() * st[row + c] + io.mask(b, i, j);
                    st[row + c] = sc;
                    rowMax = Math.max(rowMax, sc);
                }
                float newMax = Math.max(max[r], rowMax);
                if (newMax == Float.NEGATIVE_INFINITY) { // every score so far is -inf: nothing to add
                    java.util.Arrays.fill(st, row, row + nk, 0f);
                    continue;
                }
                float corr = (float) Math.exp(max[r] - newMax);   // 0 on the first finite block
                keep(s, b, i, j0, nk, keep);
                ops.exp(st, row, nk, newMax);
                double blockSum = 0;
                for (int c = 0; c < nk; c++) {
                    float pr = st[row + c];
                    blockSum += pr;
                    st[row + c] = pr * keep[c];
                }
                sum[r] = sum[r] * corr + blockSum;
                max[r] = newMax;
                if (corr != 1f) for (int x = 0; x < ev; x++) acc[r * ev + x] *= corr;
            }
            ops.tile(nq, ev, nk, st, 0, BK, 1, vt, 0, ev, acc, 0, ev, true);
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
        Grads g = new Grads(out, lse, gOut, gq, gk, gv);
        if (s.batch() >= ONE_PASS_MIN_PROBLEMS) {
            pool.parallelFor(Math.toIntExact(s.batch()), b -> problemGrads(io, b, g));
            return;
        }
        if (gq != null) {
            int qBlocks = (s.lq() + BQ - 1) / BQ;
            pool.parallelFor(Math.toIntExact(s.batch() * qBlocks), t -> queryGradBlock(io, t / qBlocks, t % qBlocks * BQ, g));
        }
        if (gk != null || gv != null) {
            int kBlocks = (s.lk() + BK - 1) / BK;
            pool.parallelFor(Math.toIntExact(s.batch() * kBlocks), t -> keyGradBlock(io, t / kBlocks, t % kBlocks * BK, g));
        }
    }

    /** The backward's extra inputs and its outputs (null where a gradient is not wanted). */
    private record Grads(MemorySegment out, MemorySegment lse, MemorySegment gOut, MemorySegment gq, MemorySegment gk,
                         MemorySegment gv) {}

    /**
     * Query rows [i0, i0 + nq) of problem b into scratch: queries ({@code Q}), output gradients
     * ({@code DO}), and in {@code STATS} {@code D_i} at [0, nq) and the log-sum-exp at [nq, 2 nq).
     */
    private static void loadQueryRows(Io io, int b, int i0, int nq, Grads g) {
        AttentionSpec s = io.s();
        int e = s.e(), ev = s.ev();
        float[] qt = scratch(Q, nq * e), dOut = scratch(DO, nq * ev), stats = scratch(STATS, 2 * nq), o = scratch(O, nq * ev);
        long row0 = (long) b * s.lq() + i0;
        Io.load(io.q(), row0, nq, e, qt);
        Io.load(g.gOut(), row0, nq, ev, dOut);
        Io.load(g.out(), row0, nq, ev, o);
        RowOps ops = RowOps.get();
        for (int r = 0; r < nq; r++) {
            stats[r] = ops.dot(dOut, r * ev, o, r * ev, ev);
            stats[nq + r] = g.lse().getAtIndex(JAVA_FLOAT, row0 + r);
        }
    }

    /**
     * One tile's backward values: {@code P M} into {@code S} and {@code dS} into {@code DS} (rows BK
     * apart) for query rows [i0, i0 + nq), whose inputs start at row {@code r0} of the loaded query
     * rows (of {@code rows} in all), and keys [j0, j0 + nk) loaded transposed into {@code KT}, {@code VT}.
     */
    private static void tileGrads(Io io, RowOps ops, int b, int i0, int nq, int r0, int rows, int j0, int nk) {
        AttentionSpec s = io.s();
        int e = s.e(), ev = s.ev();
        float[] qt = scratch(Q, 0), dOut = scratch(DO, 0), stats = scratch(STATS, 0), kT = scratch(KT, 0), vT = scratch(VT, 0);
        float[] p = scratch(S, BQ * BK), ds = scratch(DS, BQ * BK), keep = scratch(KEEP, BK);
        ops.tile(nq, nk, e, qt, r0 * e, e, 1, kT, 0, BK, p, 0, BK, false);
        ops.tile(nq, nk, ev, dOut, r0 * ev, ev, 1, vT, 0, BK, ds, 0, BK, false);
        for (int r = 0; r < nq; r++) {
            int i = i0 + r, row = r * BK;
            float rowLse = stats[rows + r0 + r], delta = stats[r0 + r];
            if (rowLse == Float.NEGATIVE_INFINITY) { // fully masked row: no gradient
                java.util.Arrays.fill(p, row, row + nk, 0f);
                java.util.Arrays.fill(ds, row, row + nk, 0f);
                continue;
            }
            keep(s, b, i, j0, nk, keep);
            for (int c = 0; c < nk; c++) {
                int j = j0 + c;
                p[row + c] = s.causal() && j > i ? Float.NEGATIVE_INFINITY : s.scale() * p[row + c] + io.mask(b, i, j);
            }
            ops.exp(p, row, nk, rowLse); // exp(-inf) = 0 exactly
            for (int c = 0; c < nk; c++) {
                float pr = p[row + c];
                ds[row + c] = pr * (keep[c] * ds[row + c] - delta);
                p[row + c] = pr * keep[c];
            }
        }
    }

    private static void queryGradBlock(Io io, int b, int i0, Grads g) {
        AttentionSpec s = io.s();
        RowOps ops = RowOps.get();
        int e = s.e(), ev = s.ev(), nq = Math.min(BQ, s.lq() - i0);
        loadQueryRows(io, b, i0, nq, g);
        float[] kt = scratch(K, BK * e), kT = scratch(KT, BK * e), vt = scratch(V, BK * ev), vT = scratch(VT, BK * ev);
        float[] dq = zeroed(DQ, nq * e), ds = scratch(DS, BQ * BK);
        for (int j0 = 0; io.visits(i0, nq, j0); j0 += BK) {
            int nk = Math.min(BK, s.lk() - j0);
            loadKeys(io.k(), (long) b * s.lk() + j0, nk, e, kt, kT);
            loadKeys(io.v(), (long) b * s.lk() + j0, nk, ev, vt, vT);
            tileGrads(io, ops, b, i0, nq, 0, nq, j0, nk);
            ops.tile(nq, e, nk, ds, 0, BK, 1, kt, 0, e, dq, 0, e, true);
        }
        for (int x = 0; x < nq * e; x++) dq[x] *= s.scale();
        MemorySegment.copy(dq, 0, g.gq(), JAVA_FLOAT, ((long) b * s.lq() + i0) * e * 4L, nq * e);
    }

    private static void keyGradBlock(Io io, int b, int j0, Grads g) {
        AttentionSpec s = io.s();
        RowOps ops = RowOps.get();
        int e = s.e(), ev = s.ev(), nk = Math.min(BK, s.lk() - j0);
        float[] kt = scratch(K, BK * e), kT = scratch(KT, BK * e), vt = scratch(V, BK * ev), vT = scratch(VT, BK * ev);
        float[] dk = zeroed(DK, nk * e), dv = zeroed(DV, nk * ev), p = scratch(S, BQ * BK), ds = scratch(DS, BQ * BK);
        loadKeys(io.k(), (long) b * s.lk() + j0, nk, e, kt, kT);
        loadKeys(io.v(), (long) b * s.lk() + j0, nk, ev, vt, vT);
        for (int i0 = 0; i0 < s.lq(); i0 += BQ) {
            int nq = Math.min(BQ, s.lq() - i0);
            if (!io.visits(i0, nq, j0)) continue;
            loadQueryRows(io, b, i0, nq, g);
            tileGrads(io, ops, b, i0, nq, 0, nq, j0, nk);
            ops.tile(nk, ev, nq, p, 0, 1, BK, scratch(DO, 0), 0, ev, dv, 0, ev, true);
            ops.tile(nk, e, nq, ds, 0, 1, BK, scratch(Q, 0), 0, e, dk, 0, e, true);
        }
        storeKeyGrads(s, b, j0, nk, g);
    }

    /** Scales the key gradients of block j0 and writes those wanted. */
    private static void storeKeyGrads(AttentionSpec s, int b, int j0, int nk, Grads g) {
        int e = s.e(), ev = s.ev();
        float[] dk = scratch(DK, 0), dv = scratch(DV, 0);
        long row0 = (long) b * s.lk() + j0;
        if (g.gk() != null) {
            for (int x = 0; x < nk * e; x++) dk[x] *= s.scale();
            MemorySegment.copy(dk, 0, g.gk(), JAVA_FLOAT, row0 * e * 4L, nk * e);
        }
        if (g.gv() != null) MemorySegment.copy(dv, 0, g.gv(), JAVA_FLOAT, row0 * ev * 4L, nk * ev);
    }

    /** The one-pass backward of problem b: every score tile once, query gradients accumulated over the key blocks in order. */
    private static void problemGrads(Io io, int b, Grads g) {
        AttentionSpec s = io.s();
        RowOps ops = RowOps.get();
        int e = s.e(), ev = s.ev(), lq = s.lq();
        loadQueryRows(io, b, 0, lq, g);
        float[] qt = scratch(Q, 0), dOut = scratch(DO, 0);
        float[] kt = scratch(K, BK * e), kT = scratch(KT, BK * e), vt = scratch(V, BK * ev), vT = scratch(VT, BK * ev);
        float[] dq = zeroed(DQ, lq * e), p = scratch(S, BQ * BK), ds = scratch(DS, BQ * BK);
        for (int j0 = 0; j0 < s.lk(); j0 += BK) {
            int nk = Math.min(BK, s.lk() - j0);
            float[] dk = zeroed(DK, nk * e), dv = zeroed(DV, nk * ev);
            loadKeys(io.k(), (long) b * s.lk() + j0, nk, e, kt, kT);
            loadKeys(io.v(), (long) b * s.lk() + j0, nk, ev, vt, vT);
            for (int i0 = 0; i0 < lq; i0 += BQ) {
                int nq = Math.min(BQ, lq - i0);
                if (!io.visits(i0, nq, j0)) continue;
                tileGrads(io, ops, b, i0, nq, i0, lq, j0, nk);
                ops.tile(nk, ev, nq, p, 0, 1, BK, dOut, i0 * ev, ev, dv, 0, ev, true);
                ops.tile(nk, e, nq, ds, 0, 1, BK, qt, i0 * e, e, dk, 0, e, true);
                ops.tile(nq, e, nk, ds, 0, BK, 1, kt, 0, e, dq, i0 * e, e, true);
            }
            storeKeyGrads(s, b, j0, nk, g);
        }
        if (g.gq() != null) {
            for (int x = 0; x < lq * e; x++) dq[x] *= s.scale();
            MemorySegment.copy(dq, 0, g.gq(), JAVA_FLOAT, (long) b * lq * e * 4L, lq * e);
        }
    }
}
