package dev.kiln.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.kernels.KernelNames;
import dev.kiln.spi.AttentionSpec;
import dev.kiln.spi.Philox;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * attention.cu's three kernels transcribed into Java and run on the launches {@link KernelOps}
 * records (grid, block, dynamic shared bytes and the argument list, read back by position as the
 * kernel declares them), each block's shared memory under {@link SharedMemoryChecker} (races
 * between barriers, reads of unwritten or stale shared memory, the layout against the requested
 * bytes), every output element written exactly once, and the results against float64 attention
 * and its gradients written from the definition (whole score matrices, no tiles). Tails of query
 * and key tiles, causal masking with L != S, broadcast additive masks, fully masked rows,
 * dropout and an empty key set are covered; a small grid makes the blocks stride over work items.
 */
class AttentionKernelEmulationTest {
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    /** The scalar tail all three kernels share, read from the launch arguments starting at {@code from}. */
    private record Tail(long outer, int heads, int lq, int lk, int e, int ev, float scale, boolean causal, int maskKind, long mo,
                        long mh, long mr, long mc, float dropout, long seed, long offset, int tile) {
        static Tail of(List<Object> a, int from) {
            return new Tail((Long) a.get(from), (Integer) a.get(from + 1), (Integer) a.get(from + 2), (Integer) a.get(from + 3),
                    (Integer) a.get(from + 4), (Integer) a.get(from + 5), (Float) a.get(from + 6), (Integer) a.get(from + 7) != 0,
                    (Integer) a.get(from + 8), (Long) a.get(from + 9), (Long) a.get(from + 10), (Long) a.get(from + 11),
                    (Long) a.get(from + 12), (Float) a.get(from + 13), (Long) a.get(from + 14), (Long) a.get(from + 15),
                    (Integer) a.get(from + 16));
        }

        long batch() {
            return outer * heads;
        }
    }

    // ---- the kernels, transcribed ----

    /** kiln_attention_keep. */
    private static float keep(float p, long seed, long index) {
        if (p == 0f) return 1f;
        long ctr = index >>> 2;
        int[] c = Philox.block((int) ctr, (int) (ctr >>> 32), 0, 0, seed);
        float u = (c[(int) (index & 3)] >>> 8) * 0x1.0p-24f;
        return p < 1f && u >= p ? 1f / (1f - p) : 0f;
    }

    /** kiln_attention_dot over shared memory. */
    private static float dot(SharedMemoryChecker sm, int t, int a, int b, int n) {
        float s = 0f;
        for (int x = 0; x < n; x++) s = Math.fma(sm.get(t, a + x), sm.get(t, b + x), s);
        return s;
    }

    /** kiln_attention_score. */
    private static float score(SharedMemoryChecker sm, int t, int qs, int ks, Tail s, float[] mask, long b, int i, int j) {
        if (s.causal && j > i) return NEG_INF;
        float v = s.scale * dot(sm, t, qs, ks, s.e);
        if (s.maskKind == 1) v += mask[Math.toIntExact((b / s.heads) * s.mo + (b % s.heads) * s.mh + (long) i * s.mr + (long) j * s.mc)];
        return v;
    }

    /** kiln_attention_load, the part of thread t. */
    private static void load(SharedMemoryChecker sm, int t, int threads, int dst, float[] src, long row0, int n, int tile, int width) {
        for (int x = t; x < tile * width; x += threads) sm.set(t, dst + x, x < n * width ? src[Math.toIntExact(row0 * width + x)] : 0f);
    }

    /** kiln_attention_rows, the part of thread t. */
    private static void rows(SharedMemoryChecker sm, int t, int threads, int sD, int sLse, float[] out, float[] gout, float[] lse,
                             long row0, int nq, int tile, int ev) {
        for (int r = t; r < tile; r += threads) {
            if (r < nq) {
                float d = 0f;
                for (int x = 0; x < ev; x++) d = Math.fma(gout[Math.toIntExact((row0 + r) * ev + x)], out[Math.toIntExact((row0 + r) * ev + x)], d);
                sm.set(t, sD + r, d);
                sm.set(t, sLse + r, lse[Math.toIntExact(row0 + r)]);
            } else {
                sm.set(t, sD + r, 0f);
                sm.set(t, sLse + r, NEG_INF);
            }
        }
    }

    private static float maxNan(float a, float b) {
        return (a != a || a > b) ? a : b;
    }

    /** kiln_attention_forward_f32 over the launch's grid (or {@code grid} blocks when positive). */
    private static void forward(RecordingLauncher.Launch l, EmulatedDevice d, int grid) {
        List<Object> a = l.args();
        Tail s = Tail.of(a, 6);
        float[] q = d.f(a.get(0)), k = d.f(a.get(1)), v = d.f(a.get(2)), mask = d.f(a.get(3));
        Object out = a.get(4), lse = a.get(5);
        final int T = s.tile, e = s.e, ev = s.ev, threads = l.blockX();
        int sQ = 0, sK = sQ + T * e, sV = sK + T * e, sS = sV + T * ev, sO = sS + T * T, sM = sO + T * ev, sL = sM + T, sC = sL + T;
        long batch = s.batch();
        int tiles = (s.lq + T - 1) / T;
        int blocks = grid > 0 ? grid : l.gridX();
        for (int block = 0; block < blocks; block++) {
            SharedMemoryChecker sm = new SharedMemoryChecker(l.kernel(), l.shared());
            for (long w = block; w < batch * tiles; w += blocks) {
                sm.poison();
                long b = w / tiles;
                int i0 = (int) (w % tiles) * T, nq = Math.min(T, s.lq - i0);
                for (int t = 0; t < threads; t++) {
                    load(sm, t, threads, sQ, q, b * s.lq + i0, nq, T, e);
                    for (int x = t; x < T * ev; x += threads) sm.set(t, sO + x, 0f);
                    for (int r = t; r < T; r += threads) {
                        sm.set(t, sM + r, NEG_INF);
                        sm.set(t, sL + r, 0f);
                    }
                }
                int kEnd = s.causal ? Math.min(s.lk, i0 + nq) : s.lk;
                for (int j0 = 0; j0 < kEnd; j0 += T) {
                    int nk = Math.min(T, kEnd - j0);
                    sm.sync();
                    for (int t = 0; t < threads; t++) {
                        load(sm, t, threads, sK, k, b * s.lk + j0, nk, T, e);
                        load(sm, t, threads, sV, v, b * s.lk + j0, nk, T, ev);
                    }
                    sm.sync();
                    for (int t = 0; t < threads; t++) {
                        for (int tt = t; tt < T * T; tt += threads) {
                            int r = tt / T, c = tt % T;
                            sm.set(t, sS + tt, r < nq && c < nk ? score(sm, t, sQ + r * e, sK + c * e, s, mask, b, i0 + r, j0 + c) : NEG_INF);
                        }
                    }
                    sm.sync();
                    for (int t = 0; t < threads; t++) {
                        for (int r = t; r < T; r += threads) {
                            int row = sS + r * T;
                            float mx = NEG_INF;
                            for (int c = 0; c < nk; c++) mx = maxNan(mx, sm.get(t, row + c));
                            float newMax = maxNan(sm.get(t, sM + r), mx);
                            if (r >= nq || newMax == NEG_INF) {
                                sm.set(t, sC + r, 1f);
                                for (int c = 0; c < T; c++) sm.set(t, row + c, 0f);
                                continue;
                            }
                            float corr = (float) Math.exp(sm.get(t, sM + r) - newMax);
                            float sum = 0f;
                            long first = s.offset + (b * s.lq + (i0 + r)) * s.lk + j0;
                            for (int c = 0; c < T; c++) {
                                float p = c < nk ? (float) Math.exp(sm.get(t, row + c) - newMax) : 0f;
                                sum += p;
                                sm.set(t, row + c, p == 0f ? 0f : p * keep(s.dropout, s.seed, first + c));
                            }
                            sm.set(t, sL + r, sm.get(t, sL + r) * corr + sum);
                            sm.set(t, sM + r, newMax);
                            sm.set(t, sC + r, corr);
                        }
                    }
                    sm.sync();
                    for (int t = 0; t < threads; t++) {
                        for (int tt = t; tt < nq * ev; tt += threads) {
                            int r = tt / ev, x = tt % ev;
                            float acc = sm.get(t, sO + tt) * sm.get(t, sC + r);
                            for (int c = 0; c < nk; c++) acc = Math.fma(sm.get(t, sS + r * T + c), sm.get(t, sV + c * ev + x), acc);
                            sm.set(t, sO + tt, acc);
                        }
                    }
                }
                sm.sync();
                for (int t = 0; t < threads; t++) {
                    for (int tt = t; tt < nq * ev; tt += threads) {
                        int r = tt / ev;
                        float m = sm.get(t, sM + r);
                        d.store(out, (b * s.lq + i0) * ev + tt, m == NEG_INF ? 0f : sm.get(t, sO + tt) / sm.get(t, sL + r));
                    }
                    for (int r = t; r < nq; r += threads) {
                        float m = sm.get(t, sM + r);
                        d.store(lse, b * s.lq + i0 + r, m == NEG_INF ? NEG_INF : m + (float) Math.log(sm.get(t, sL + r)));
                    }
                }
                sm.sync();
            }
        }
    }

    /** kiln_attention_backward_dq_f32. */
    private static void backwardDq(RecordingLauncher.Launch l, EmulatedDevice d, int grid) {
        List<Object> a = l.args();
        Tail s = Tail.of(a, 8);
        float[] q = d.f(a.get(0)), k = d.f(a.get(1)), v = d.f(a.get(2)), mask = d.f(a.get(3)), out = d.f(a.get(4)), lse = d.f(a.get(5)),
                gout = d.f(a.get(6));
        Object gq = a.get(7);
        final int T = s.tile, e = s.e, ev = s.ev, threads = l.blockX();
        int sQ = 0, sdO = sQ + T * e, sK = sdO + T * ev, sV = sK + T * e, sS = sV + T * ev, sdQ = sS + T * T, sD = sdQ + T * e, sLse = sD + T;
        long batch = s.batch();
        int tiles = (s.lq + T - 1) / T;
        int blocks = grid > 0 ? grid : l.gridX();
        for (int block = 0; block < blocks; block++) {
            SharedMemoryChecker sm = new SharedMemoryChecker(l.kernel(), l.shared());
            for (long w = block; w < batch * tiles; w += blocks) {
                sm.poison();
                long b = w / tiles;
                int i0 = (int) (w % tiles) * T, nq = Math.min(T, s.lq - i0);
                long row0 = b * s.lq + i0;
                for (int t = 0; t < threads; t++) {
                    load(sm, t, threads, sQ, q, row0, nq, T, e);
                    load(sm, t, threads, sdO, gout, row0, nq, T, ev);
                    for (int x = t; x < T * e; x += threads) sm.set(t, sdQ + x, 0f);
                    rows(sm, t, threads, sD, sLse, out, gout, lse, row0, nq, T, ev);
                }
                int kEnd = s.causal ? Math.min(s.lk, i0 + nq) : s.lk;
                for (int j0 = 0; j0 < kEnd; j0 += T) {
                    int nk = Math.min(T, kEnd - j0);
                    sm.sync();
                    for (int t = 0; t < threads; t++) {
                        load(sm, t, threads, sK, k, b * s.lk + j0, nk, T, e);
                        load(sm, t, threads, sV, v, b * s.lk + j0, nk, T, ev);
                    }
                    sm.sync();
                    for (int t = 0; t < threads; t++) {
                        for (int tt = t; tt < T * T; tt += threads) {
                            int r = tt / T, c = tt % T, i = i0 + r, j = j0 + c;
                            float ds = 0f;
                            if (r < nq && c < nk && sm.get(t, sLse + r) != NEG_INF && !(s.causal && j > i)) {
                                float sc = score(sm, t, sQ + r * e, sK + c * e, s, mask, b, i, j);
                                float p = (float) Math.exp(sc - sm.get(t, sLse + r));
                                float kp = keep(s.dropout, s.seed, s.offset + (b * s.lq + i) * s.lk + j);
                                ds = p * (kp * dot(sm, t, sdO + r * ev, sV + c * ev, ev) - sm.get(t, sD + r));
                            }
                            sm.set(t, sS + tt, ds);
                        }
                    }
                    sm.sync();
                    for (int t = 0; t < threads; t++) {
                        for (int tt = t; tt < nq * e; tt += threads) {
                            int r = tt / e, x = tt % e;
                            float acc = sm.get(t, sdQ + tt);
                            for (int c = 0; c < nk; c++) acc = Math.fma(sm.get(t, sS + r * T + c), sm.get(t, sK + c * e + x), acc);
                            sm.set(t, sdQ + tt, acc);
                        }
                    }
                }
                sm.sync();
                for (int t = 0; t < threads; t++) {
                    for (int tt = t; tt < nq * e; tt += threads) d.store(gq, row0 * e + tt, s.scale * sm.get(t, sdQ + tt));
                }
                sm.sync();
            }
        }
    }

    /** kiln_attention_backward_dkdv_f32. */
    private static void backwardDkDv(RecordingLauncher.Launch l, EmulatedDevice d, int grid) {
        List<Object> a = l.args();
        Tail s = Tail.of(a, 9);
        float[] q = d.f(a.get(0)), k = d.f(a.get(1)), v = d.f(a.get(2)), mask = d.f(a.get(3)), out = d.f(a.get(4)), lse = d.f(a.get(5)),
                gout = d.f(a.get(6));
        Object gk = a.get(7), gv = a.get(8);
        final int T = s.tile, e = s.e, ev = s.ev, threads = l.blockX();
        int sK = 0, sV = sK + T * e, sdK = sV + T * ev, sdV = sdK + T * e, sQ = sdV + T * ev, sdO = sQ + T * e, sP = sdO + T * ev,
                sS = sP + T * T, sD = sS + T * T, sLse = sD + T;
        long batch = s.batch();
        int tiles = (s.lk + T - 1) / T;
        int blocks = grid > 0 ? grid : l.gridX();
        for (int block = 0; block < blocks; block++) {
            SharedMemoryChecker sm = new SharedMemoryChecker(l.kernel(), l.shared());
            for (long w = block; w < batch * tiles; w += blocks) {
                sm.poison();
                long b = w / tiles;
                int j0 = (int) (w % tiles) * T, nk = Math.min(T, s.lk - j0);
                for (int t = 0; t < threads; t++) {
                    load(sm, t, threads, sK, k, b * s.lk + j0, nk, T, e);
                    load(sm, t, threads, sV, v, b * s.lk + j0, nk, T, ev);
                    for (int x = t; x < T * e; x += threads) sm.set(t, sdK + x, 0f);
                    for (int x = t; x < T * ev; x += threads) sm.set(t, sdV + x, 0f);
                }
                for (int i0 = s.causal ? j0 : 0; i0 < s.lq; i0 += T) {
                    int nq = Math.min(T, s.lq - i0);
                    long row0 = b * s.lq + i0;
                    sm.sync();
                    for (int t = 0; t < threads; t++) {
                        load(sm, t, threads, sQ, q, row0, nq, T, e);
                        load(sm, t, threads, sdO, gout, row0, nq, T, ev);
                        rows(sm, t, threads, sD, sLse, out, gout, lse, row0, nq, T, ev);
                    }
                    sm.sync();
                    for (int t = 0; t < threads; t++) {
                        for (int tt = t; tt < T * T; tt += threads) {
                            int r = tt / T, c = tt % T, i = i0 + r, j = j0 + c;
                            float pd = 0f, ds = 0f;
                            if (r < nq && c < nk && sm.get(t, sLse + r) != NEG_INF && !(s.causal && j > i)) {
                                float sc = score(sm, t, sQ + r * e, sK + c * e, s, mask, b, i, j);
                                float p = (float) Math.exp(sc - sm.get(t, sLse + r));
                                float kp = keep(s.dropout, s.seed, s.offset + (b * s.lq + i) * s.lk + j);
                                pd = p * kp;
                                ds = p * (kp * dot(sm, t, sdO + r * ev, sV + c * ev, ev) - sm.get(t, sD + r));
                            }
                            sm.set(t, sP + tt, pd);
                            sm.set(t, sS + tt, ds);
                        }
                    }
                    sm.sync();
                    for (int t = 0; t < threads; t++) {
                        for (int tt = t; tt < nk * ev; tt += threads) {
                            int c = tt / ev, x = tt % ev;
                            float acc = sm.get(t, sdV + tt);
                            for (int r = 0; r < nq; r++) acc = Math.fma(sm.get(t, sP + r * T + c), sm.get(t, sdO + r * ev + x), acc);
                            sm.set(t, sdV + tt, acc);
                        }
                        for (int tt = t; tt < nk * e; tt += threads) {
                            int c = tt / e, x = tt % e;
                            float acc = sm.get(t, sdK + tt);
                            for (int r = 0; r < nq; r++) acc = Math.fma(sm.get(t, sS + r * T + c), sm.get(t, sQ + r * e + x), acc);
                            sm.set(t, sdK + tt, acc);
                        }
                    }
                }
                sm.sync();
                for (int t = 0; t < threads; t++) {
                    if ((Long) gk != 0) for (int tt = t; tt < nk * e; tt += threads) d.store(gk, (b * s.lk + j0) * e + tt, s.scale * sm.get(t, sdK + tt));
                    if ((Long) gv != 0) for (int tt = t; tt < nk * ev; tt += threads) d.store(gv, (b * s.lk + j0) * ev + tt, sm.get(t, sdV + tt));
                }
                sm.sync();
            }
        }
    }

    private static void emulate(RecordingLauncher.Launch l, EmulatedDevice d, int grid) {
        switch (l.kernel()) {
            case KernelNames.ATTENTION_FORWARD_F32 -> forward(l, d, grid);
            case KernelNames.ATTENTION_BACKWARD_DQ_F32 -> backwardDq(l, d, grid);
            case KernelNames.ATTENTION_BACKWARD_DKDV_F32 -> backwardDkDv(l, d, grid);
            default -> fail("not an attention kernel: " + l.kernel());
        }
    }

    // ---- the float64 reference: whole score matrices, from the definition ----

    /** {out, lse, gq, gk, gv} of attention with gradient {@code gout} of out. */
    private static double[][] reference(AttentionSpec s, float[] q, float[] k, float[] v, float[] mask, float[] gout) {
        int lq = s.lq(), lk = s.lk(), e = s.e(), ev = s.ev();
        long[] ms = s.maskStrides();
        int batch = (int) s.batch();
        double[] out = new double[batch * lq * ev], lse = new double[batch * lq], gq = new double[batch * lq * e],
                gk = new double[batch * lk * e], gv = new double[batch * lk * ev];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < lq; i++) {
                double[] sc = new double[lk], p = new double[lk], w = new double[lk];
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < lk; j++) {
                    if (s.causal() && j > i) {
                        sc[j] = Double.NEGATIVE_INFINITY;
                    } else {
                        double dotQk = 0;
                        for (int x = 0; x < e; x++) dotQk += (double) q[(b * lq + i) * e + x] * k[(b * lk + j) * e + x];
                        sc[j] = s.scale() * dotQk;
                        if (s.hasMask()) sc[j] += mask[(int) ((b / s.heads()) * ms[0] + (b % s.heads()) * ms[1] + i * ms[2] + j * ms[3])];
                    }
                    m = Math.max(m, sc[j]);
                    long index = s.offset() + ((long) b * lq + i) * lk + j;
                    w[j] = s.dropoutP() == 0f ? 1 : Philox.uniform(s.seed(), index) >= s.dropoutP() ? 1 / (1 - (double) s.dropoutP()) : 0;
                }
                if (m == Double.NEGATIVE_INFINITY) {
                    lse[b * lq + i] = Double.NEGATIVE_INFINITY;
                    continue;  // a fully masked row: output and gradients stay 0
                }
                double sum = 0;
                for (int j = 0; j < lk; j++) sum += Math.exp(sc[j] - m);
                for (int j = 0; j < lk; j++) p[j] = Math.exp(sc[j] - m) / sum;
                lse[b * lq + i] = m + Math.log(sum);
                double[] dp = new double[lk];
                double dsum = 0;
                for (int j = 0; j < lk; j++) {
                    double g = 0;
                    for (int x = 0; x < ev; x++) {
                        out[(b * lq + i) * ev + x] += p[j] * w[j] * v[(b * lk + j) * ev + x];
                        g += (double) gout[(b * lq + i) * ev + x] * v[(b * lk + j) * ev + x];
                        gv[(b * lk + j) * ev + x] += p[j] * w[j] * gout[(b * lq + i) * ev + x];
                    }
                    dp[j] = w[j] * g;
                    dsum += p[j] * dp[j];
                }
                for (int j = 0; j < lk; j++) {
                    double ds = p[j] * (dp[j] - dsum);
                    for (int x = 0; x < e; x++) {
                        gq[(b * lq + i) * e + x] += s.scale() * ds * k[(b * lk + j) * e + x];
                        gk[(b * lk + j) * e + x] += s.scale() * ds * q[(b * lq + i) * e + x];
                    }
                }
            }
        }
        return new double[][] {out, lse, gq, gk, gv};
    }

    // ---- the cases ----

    private static float[] random(Random rnd, int n, double sd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * sd);
        return v;
    }

    private static void close(String what, double[] expected, float[] got) {
        assertEquals(expected.length, got.length, what + " length");
        for (int i = 0; i < got.length; i++) {
            double x = expected[i];
            boolean ok = Double.isInfinite(x) ? got[i] == x : Math.abs(got[i] - x) <= 2e-5 + 2e-4 * Math.abs(x);
            if (!ok) fail(what + "[" + i + "] = " + got[i] + ", expected " + x);
        }
    }

    /** Runs forward and backward through KernelOps' launches and the emulations; returns {out, lse, gq, gk, gv}. */
    private static float[][] run(AttentionSpec s, float[] q, float[] k, float[] v, float[] mask, float[] gout, int grid) {
        RecordingLauncher rec = new RecordingLauncher();
        KernelOps ops = new KernelOps(rec);
        EmulatedDevice d = new EmulatedDevice();
        int batch = (int) s.batch();
        long qa = d.put(q), ka = d.put(k), va = d.put(v), ma = mask == null ? 0 : d.put(mask), ga = d.put(gout);
        long out = d.poisoned(batch * s.lq() * s.ev()), lse = d.poisoned(batch * s.lq());
        long gq = d.poisoned(q.length), gk = d.poisoned(k.length), gv = d.poisoned(v.length);
        ops.attention(s, qa, ka, va, ma, out, lse);
        ops.attentionBackward(s, qa, ka, va, ma, out, lse, ga, gq, gk, gv);
        List<String> expected = s.lk() > 0
                ? List.of(KernelNames.ATTENTION_FORWARD_F32, KernelNames.ATTENTION_BACKWARD_DQ_F32, KernelNames.ATTENTION_BACKWARD_DKDV_F32)
                : List.of(KernelNames.ATTENTION_FORWARD_F32, KernelNames.ATTENTION_BACKWARD_DQ_F32);  // no key tiles: no dk/dv work
        assertEquals(expected, rec.launches.stream().map(RecordingLauncher.Launch::kernel).toList(), "launches of " + s);
        for (RecordingLauncher.Launch l : rec.launches) {
            assertEquals(KernelOps.ATTENTION_BLOCK, l.blockX());
            emulate(l, d, grid);
        }
        String what = s + (grid > 0 ? " on " + grid + " blocks" : "");
        d.assertEachWrittenOnce(out, what + " out");
        d.assertEachWrittenOnce(lse, what + " lse");
        d.assertEachWrittenOnce(gq, what + " gq");
        d.assertEachWrittenOnce(gk, what + " gk");
        d.assertEachWrittenOnce(gv, what + " gv");
        return new float[][] {d.f(out), d.f(lse), d.f(gq), d.f(gk), d.f(gv)};
    }

    private static void check(AttentionSpec s, long seed, boolean withMask, java.util.function.Consumer<float[]> maskEdit) {
        Random rnd = new Random(seed);
        int batch = (int) s.batch();
        float[] q = random(rnd, batch * s.lq() * s.e(), 0.7), k = random(rnd, batch * s.lk() * s.e(), 0.7);
        float[] v = random(rnd, batch * s.lk() * s.ev(), 1), gout = random(rnd, batch * s.lq() * s.ev(), 1);
        float[] mask = null;
        if (withMask) {
            mask = random(rnd, (int) s.maskExtent(), 0.5);
            if (maskEdit != null) maskEdit.accept(mask);
        }
        float[][] got = run(s, q, k, v, mask, gout, 0);
        double[][] ref = reference(s, q, k, v, mask, gout);
        String[] names = {"out", "lse", "gq", "gk", "gv"};
        for (int i = 0; i < names.length; i++) close(s + " " + names[i], ref[i], got[i]);
        // A grid of 3 blocks strides over the work items, reusing each block's shared memory: same bits.
        float[][] strided = run(s, q, k, v, mask, gout, 3);
        for (int i = 0; i < names.length; i++) assertArrayEquals(got[i], strided[i], s + " " + names[i] + " on 3 blocks vs the launch grid");
    }

    private static AttentionSpec spec(int outer, int heads, int lq, int lk, int e, int ev, boolean causal, long[] maskStrides,
                                      float dropout) {
        return new AttentionSpec(outer, heads, lq, lk, e, ev, (float) (1 / Math.sqrt(e)), causal,
                maskStrides == null ? AttentionSpec.MaskKind.NONE : AttentionSpec.MaskKind.ADDITIVE,
                maskStrides == null ? new long[4] : maskStrides, dropout, 0x5eed_1234L, 40L);
    }

    @Test
    void plainAttentionWithTileTails() {
        check(spec(2, 3, 37, 45, 8, 5, false, null, 0f), 1, false, null);  // tile 32: one full and one partial tile each way
    }

    @Test
    void causalWithMoreQueriesThanKeysAndSmallTiles() {
        // E = Ev = 64 gives tile 16: several query and key tiles, causal blocks skipping whole tiles.
        check(spec(1, 2, 41, 23, 64, 64, true, null, 0f), 2, false, null);
        check(spec(1, 1, 19, 50, 64, 64, true, null, 0f), 3, false, null);
    }

    @Test
    void broadcastMasksAndAFullyMaskedRow() {
        int lq = 20, lk = 35;
        // [outer, 1, L, S] mask broadcast over heads; query row 7 of problem 0 sees nothing.
        check(spec(2, 2, lq, lk, 16, 16, false, new long[] {(long) lq * lk, 0, lk, 1}, 0f), 4, true, m -> {
            for (int j = 0; j < lk; j++) m[7 * lk + j] = Float.NEGATIVE_INFINITY;
        });
        // Key padding mask [outer, 1, 1, S]: the last keys of problem 1 hidden.
        check(spec(2, 3, lq, lk, 8, 8, true, new long[] {lk, 0, 0, 1}, 0f), 5, true, m -> {
            for (int j = 30; j < lk; j++) m[lk + j] = Float.NEGATIVE_INFINITY;
        });
    }

    @Test
    void dropoutWeightsFollowThePhiloxIndexOfEachScore() {
        check(spec(2, 2, 33, 17, 8, 4, false, null, 0.25f), 6, false, null);
        check(spec(1, 2, 21, 21, 8, 8, true, new long[] {0, 0, 21, 1}, 0.5f), 7, true, null);
    }

    @Test
    void noKeysGivesZeroOutputAndMinusInfinityLse() {
        AttentionSpec s = spec(1, 2, 5, 0, 4, 3, false, null, 0f);
        float[][] got = run(s, new float[2 * 5 * 4], new float[0], new float[0], null, new float[2 * 5 * 3], 0);
        for (float x : got[0]) assertEquals(0f, x);
        for (float x : got[1]) assertEquals(NEG_INF, x);
        for (float x : got[2]) assertEquals(0f, x);
    }
}
