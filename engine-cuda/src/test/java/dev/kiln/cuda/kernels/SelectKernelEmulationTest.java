package dev.kiln.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.kernels.KernelNames;
import dev.kiln.spi.ArgReduceSpec;
import dev.kiln.spi.TopkSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * select.cu transcribed into Java and run on the launches {@link KernelOps} records (grid, block,
 * arguments by position): the thread-per-line arg-reduce, the warp-per-row arg-reduce with its
 * lane-strided scan and xor-shuffle tree (partial warps: rows shorter than 32), topk's selection
 * passes and its backward scatter. Checked against references written differently: PyTorch's
 * max/min rule (the first NaN wins, else the first index of the extreme value, -0.0 equal to
 * 0.0) and a stable sort for topk; every output written exactly once.
 */
class SelectKernelEmulationTest {
    private static final int WARP = 32;

    // ---- the kernels, transcribed ----

    /** kiln_select_better. */
    private static boolean better(float v, long i, float bv, long bi, boolean max) {
        if (bi < 0) return true;
        boolean vn = v != v, bn = bv != bv;
        if (vn || bn) return vn && (!bn || i < bi);
        return (max ? v > bv : v < bv) || (v == bv && i < bi);
    }

    /** kiln_arg_reduce_f32: a thread per line over the launch's grid. */
    private static void argReduceLines(RecordingLauncher.Launch l, EmulatedDevice d) {
        List<Object> a = l.args();
        float[] x = d.f(a.get(0));
        Object values = a.get(1), indices = a.get(2);
        long outer = (Long) a.get(3), dim = (Long) a.get(4), inner = (Long) a.get(5);
        boolean max = (Integer) a.get(6) != 0;
        long threads = (long) l.gridX() * l.blockX();
        for (long g = 0; g < threads; g++) {
            for (long line = g; line < outer * inner; line += threads) {
                long o = line / inner, i = line - o * inner;
                long p = o * dim * inner + i;
                float best = x[(int) p];
                long bi = 0;
                for (long j = 1; j < dim && best == best; j++) {
                    float v = x[(int) (p + j * inner)];
                    if (max ? (v > best || v != v) : (v < best || v != v)) {
                        best = v;
                        bi = j;
                    }
                }
                if ((Long) values != 0) d.store(values, line, best);
                d.store(indices, line, bi);
            }
        }
    }

    /** kiln_arg_reduce_rows_f32: a warp per row, lanes strided over the row, then the xor-shuffle tree. */
    private static void argReduceRows(RecordingLauncher.Launch l, EmulatedDevice d) {
        List<Object> a = l.args();
        float[] x = d.f(a.get(0));
        Object values = a.get(1), indices = a.get(2);
        long rows = (Long) a.get(3), dim = (Long) a.get(4);
        boolean max = (Integer) a.get(5) != 0;
        assertEquals(0, l.blockX() % WARP, "block of whole warps");
        long warps = (long) l.gridX() * l.blockX() / WARP;
        for (long warp = 0; warp < warps; warp++) {
            for (long row = warp; row < rows; row += warps) {
                float[] best = new float[WARP];
                long[] bi = new long[WARP];
                for (int lane = 0; lane < WARP; lane++) {
                    bi[lane] = -1;
                    for (long j = lane; j < dim; j += WARP) {
                        float v = x[(int) (row * dim + j)];
                        if (better(v, j, best[lane], bi[lane], max)) {
                            best[lane] = v;
                            bi[lane] = j;
                        }
                    }
                }
                for (int o = WARP / 2; o > 0; o >>= 1) {  // __shfl_xor_sync reads every lane's value before any lane updates
                    float[] ov = best.clone();
                    long[] oi = bi.clone();
                    for (int lane = 0; lane < WARP; lane++) {
                        int from = lane ^ o;
                        if (oi[from] >= 0 && better(ov[from], oi[from], best[lane], bi[lane], max)) {
                            best[lane] = ov[from];
                            bi[lane] = oi[from];
                        }
                    }
                }
                for (int lane = 1; lane < WARP; lane++) {
                    if (bi[lane] != bi[0]) fail("row " + row + ": lane " + lane + " ends with index " + bi[lane] + ", lane 0 with " + bi[0]);
                }
                if ((Long) values != 0) d.store(values, row, best[0]);
                d.store(indices, row, bi[0]);
            }
        }
    }

    /** kiln_topk_before. */
    private static boolean before(float v, long i, float w, long j, boolean largest) {
        boolean vn = v != v, wn = w != w;
        if (vn || wn) return (vn && wn) ? i < j : (largest ? vn : wn);
        if (v == w) return i < j;
        return largest ? v > w : v < w;
    }

    /** kiln_topk_f32: a thread per line, pass s picking the first element after pick s - 1. */
    private static void topk(RecordingLauncher.Launch l, EmulatedDevice d) {
        List<Object> a = l.args();
        float[] x = d.f(a.get(0));
        Object values = a.get(1), indices = a.get(2);
        long outer = (Long) a.get(3), dim = (Long) a.get(4), inner = (Long) a.get(5), k = (Long) a.get(6);
        boolean largest = (Integer) a.get(7) != 0;
        long threads = (long) l.gridX() * l.blockX();
        for (long g = 0; g < threads; g++) {
            for (long line = g; line < outer * inner; line += threads) {
                long o = line / inner, i = line - o * inner;
                long p = o * dim * inner + i, out = o * k * inner + i;
                float pv = 0f;
                long pi = -1;
                for (long s = 0; s < k; s++) {
                    float bv = 0f;
                    long bi = -1;
                    for (long j = 0; j < dim; j++) {
                        float v = x[(int) (p + j * inner)];
                        if (pi >= 0 && !before(pv, pi, v, j, largest)) continue;
                        if (bi < 0 || before(v, j, bv, bi, largest)) {
                            bv = v;
                            bi = j;
                        }
                    }
                    d.store(values, out + s * inner, bv);
                    d.store(indices, out + s * inner, bi);
                    pv = bv;
                    pi = bi;
                }
            }
        }
    }

    /** kiln_topk_backward_f32: a thread per selected element. */
    private static void topkBackward(RecordingLauncher.Launch l, EmulatedDevice d) {
        List<Object> a = l.args();
        float[] gy = d.f(a.get(0));
        long[] idx = d.l(a.get(1));
        Object gx = a.get(2);
        long dim = (Long) a.get(4), inner = (Long) a.get(5), k = (Long) a.get(6), outer = (Long) a.get(3);
        long threads = (long) l.gridX() * l.blockX();
        for (long g = 0; g < threads; g++) {
            for (long t = g; t < outer * k * inner; t += threads) {
                long o = t / (k * inner), i = t % inner;
                d.store(gx, (o * dim + idx[(int) t]) * inner + i, gy[(int) t]);
            }
        }
    }

    private static void emulate(RecordingLauncher.Launch l, EmulatedDevice d) {
        switch (l.kernel()) {
            case KernelNames.ARG_REDUCE_F32 -> argReduceLines(l, d);
            case KernelNames.ARG_REDUCE_ROWS_F32 -> argReduceRows(l, d);
            case KernelNames.TOPK_F32 -> topk(l, d);
            case KernelNames.TOPK_BACKWARD_F32 -> topkBackward(l, d);
            default -> fail("not a select.cu kernel: " + l.kernel());
        }
    }

    // ---- references ----

    /** The index PyTorch's max (min) along a dim returns for one line: the first NaN, else the first extreme value. */
    private static int referenceArg(float[] line, boolean max) {
        for (int j = 0; j < line.length; j++) if (Float.isNaN(line[j])) return j;
        double extreme = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        for (float v : line) extreme = max ? Math.max(extreme, v) : Math.min(extreme, v);
        for (int j = 0; j < line.length; j++) if (line[j] == extreme) return j;  // == : -0.0 and 0.0 tie
        throw new AssertionError("no extreme in " + java.util.Arrays.toString(line));
    }

    /** topk's order of one line by a stable sort: NaN above every number, ties (-0.0 with 0.0 too) in index order. */
    private static List<Integer> referenceOrder(float[] line, boolean largest) {
        List<Integer> order = new ArrayList<>();
        for (int j = 0; j < line.length; j++) order.add(j);
        Comparator<Integer> ascending = (p, q) -> {
            float v = line[p], w = line[q];
            if (Float.isNaN(v) || Float.isNaN(w)) return Boolean.compare(Float.isNaN(v), Float.isNaN(w));
            return v < w ? -1 : v > w ? 1 : 0;
        };
        order.sort(largest ? ascending.reversed() : ascending);  // List.sort is stable
        return order;
    }

    private static float[] data(Random rnd, int n) {
        float[] specials = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int r = rnd.nextInt(40);
            x[i] = r < 2 ? specials[rnd.nextInt(specials.length)] : rnd.nextInt(9) - 4;  // many ties
        }
        return x;
    }

    private static float[] line(float[] x, int o, int dim, int inner, int i) {
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) v[j] = x[(o * dim + j) * inner + i];
        return v;
    }

    private static final int[][] VIEWS = {{1, 1, 1}, {5, 7, 1}, {3, 31, 1}, {4, 32, 1}, {9, 33, 1}, {2, 100, 1}, {1000, 3, 1},
        {3, 10, 7}, {2, 40, 5}, {1, 1, 9}};

    @Test
    void argReduceFollowsPyTorchOverTheLaunchGrid() {
        Random rnd = new Random(11);
        for (int[] view : VIEWS) {
            int outer = view[0], dim = view[1], inner = view[2];
            for (boolean max : new boolean[] {true, false}) {
                for (boolean withValues : new boolean[] {true, false}) {
                    float[] x = data(rnd, outer * dim * inner);
                    RecordingLauncher rec = new RecordingLauncher();
                    EmulatedDevice d = new EmulatedDevice();
                    long lines = (long) outer * inner;
                    long xa = d.put(x), va = withValues ? d.poisoned((int) lines) : 0, ia = d.put(new long[(int) lines]);
                    new KernelOps(rec).argReduce(new ArgReduceSpec(outer, dim, inner, max), xa, va, ia);
                    assertEquals(inner == 1 ? KernelNames.ARG_REDUCE_ROWS_F32 : KernelNames.ARG_REDUCE_F32, rec.last().kernel());
                    emulate(rec.last(), d);
                    String what = (max ? "max" : "min") + " of [" + outer + ", " + dim + ", " + inner + "]";
                    if (withValues) d.assertEachWrittenOnce(va, what + " values");
                    d.assertEachWrittenOnce(ia, what + " indices");
                    for (int o = 0; o < outer; o++) {
                        for (int i = 0; i < inner; i++) {
                            float[] v = line(x, o, dim, inner, i);
                            int expected = referenceArg(v, max);
                            int at = o * inner + i;
                            assertEquals(expected, d.l(ia)[at], what + " line (" + o + ", " + i + ") " + java.util.Arrays.toString(v));
                            if (withValues) {
                                assertEquals(Float.floatToRawIntBits(v[expected]), Float.floatToRawIntBits(d.f(va)[at]), what + " value");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void topkAndItsBackwardFollowAStableSortOverTheLaunchGrid() {
        Random rnd = new Random(12);
        for (int[] view : VIEWS) {
            int outer = view[0], dim = view[1], inner = view[2];
            for (int k : new int[] {1, Math.min(3, dim), dim}) {
                for (boolean largest : new boolean[] {true, false}) {
                    float[] x = data(rnd, outer * dim * inner);
                    TopkSpec spec = new TopkSpec(outer, dim, inner, k, largest, true);
                    int outN = (int) spec.outNumel();
                    RecordingLauncher rec = new RecordingLauncher();
                    EmulatedDevice d = new EmulatedDevice();
                    long xa = d.put(x), va = d.poisoned(outN), ia = d.put(new long[outN]);
                    KernelOps ops = new KernelOps(rec);
                    ops.topk(spec, xa, va, ia);
                    emulate(rec.last(), d);
                    String what = "topk k=" + k + (largest ? " largest" : " smallest") + " of [" + outer + ", " + dim + ", " + inner + "]";
                    d.assertEachWrittenOnce(va, what + " values");
                    d.assertEachWrittenOnce(ia, what + " indices");
                    float[] gy = new float[outN];
                    for (int t = 0; t < outN; t++) gy[t] = t + 1;
                    long ga = d.put(gy), gx = d.floats(x.length);  // CudaBackend zeroes gx before the kernel
                    ops.topkBackward(spec, ga, ia, gx);
                    emulate(rec.last(), d);
                    int[] hits = new int[x.length];
                    for (int o = 0; o < outer; o++) {
                        for (int i = 0; i < inner; i++) {
                            float[] v = line(x, o, dim, inner, i);
                            List<Integer> order = referenceOrder(v, largest);
                            for (int s = 0; s < k; s++) {
                                int at = (o * k + s) * inner + i, j = order.get(s);
                                assertEquals(j, d.l(ia)[at], what + " line (" + o + ", " + i + ") pick " + s + " of " + java.util.Arrays.toString(v));
                                assertEquals(Float.floatToRawIntBits(v[j]), Float.floatToRawIntBits(d.f(va)[at]), what + " value");
                                int src = (o * dim + j) * inner + i;
                                assertEquals(gy[at], d.f(gx)[src], what + " gradient at " + src);
                                hits[src]++;
                            }
                        }
                    }
                    for (int p = 0; p < x.length; p++) if (hits[p] == 0) assertEquals(0f, d.f(gx)[p], what + " unselected gradient " + p);
                }
            }
        }
    }
}
