package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertBitIdentical;
import static dev.kiln.cpu.KernelHarness.assertClose;
import static dev.kiln.cpu.KernelHarness.read;

import dev.kiln.cpu.kernels.CellRows;
import dev.kiln.spi.RnnCellSpec;
import dev.kiln.spi.Storage;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The LSTM and GRU cell kernels, both implementations (the Vector API's float path where this
 * JVM has it, and the scalar double path), against float64 formulas written here from PyTorch's
 * gate equations, at hidden sizes that are whole vectors (16, 48: the float path) and one that is
 * not (7: the scalar path), with pre-activations from saturated to near zero. The op suite's small
 * cells never reach the vector loops, hence these sizes. Also: any split of the rows gives the
 * same bits, and so does any thread count.
 */
class RnnCellsTest {
    /** A few float ulps of the activations; the cell state grows to about 4, hence the absolute part. */
    private static final double TOL_SCALE = 0.2;
    private final KernelHarness h = new KernelHarness();

    @AfterEach
    void close() {
        h.close();
    }

    private static List<CellRows> kernels() {
        return CellRows.get() == CellRows.scalar() ? List.of(CellRows.scalar()) : List.of(CellRows.get(), CellRows.scalar());
    }

    /** Pre-activations: mostly uniform in [-8, 8), with saturating and tiny values mixed in. */
    private static float[] gates(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] special = {0f, -0f, 30f, -30f, 100f, -100f, 1e-4f, -3e-3f, 0.6f, -0.65f, 88.5f, -90f};
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i % 5 == 3 ? special[(i / 5) % special.length] : (float) (r.nextDouble() * 16 - 8);
        return v;
    }

    private static float[] uniform(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return v;
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    private static MemorySegment seg(Storage s) {
        return ((CpuStorage) s).segment();
    }

    @Test
    void lstmForwardAndBackwardMatchFloat64() {
        int b = 5;
        for (CellRows k : kernels()) {
            for (int hid : new int[] {16, 48, 7}) {
                String what = k.name() + " lstm hidden " + hid;
                float[] xg = gates(1, b * 4 * hid), hg = gates(2, b * 4 * hid), cp = uniform(3, b * hid, 3);
                float[] gh = uniform(4, b * hid, 1), gc = uniform(5, b * hid, 1);
                double[] act = new double[b * 4 * hid], c = new double[b * hid], hOut = new double[b * hid];
                double[] gGates = new double[b * 4 * hid], gcPrev = new double[b * hid];
                for (int r = 0; r < b; r++) {
                    for (int j = 0; j < hid; j++) {
                        int gi = r * 4 * hid + j, gf = gi + hid, gg = gf + hid, go = gg + hid, s = r * hid + j;
                        double i = sigmoid((double) xg[gi] + hg[gi]), f = sigmoid((double) xg[gf] + hg[gf]);
                        double g = Math.tanh((double) xg[gg] + hg[gg]), o = sigmoid((double) xg[go] + hg[go]);
                        act[gi] = i;
                        act[gf] = f;
                        act[gg] = g;
                        act[go] = o;
                        c[s] = f * cp[s] + i * g;
                        hOut[s] = o * Math.tanh(c[s]);
                    }
                }
                Storage sxg = h.store(xg), shg = h.store(hg), scp = h.store(cp), sh = h.empty(b * hid), sc = h.empty(b * hid);
                Storage sact = h.empty(b * 4 * hid);
                k.lstm(hid, seg(sxg), seg(shg), seg(scp), seg(sh), seg(sc), seg(sact), 0, b);
                assertClose(what + " gates", act, read(sact), TOL_SCALE);
                assertClose(what + " c", c, read(sc), TOL_SCALE);
                assertClose(what + " h", hOut, read(sh), TOL_SCALE);

                // Backward from the kernel's own saved gates and state (what the scan passes it), in float64.
                float[] a = read(sact), cf = read(sc);
                for (int r = 0; r < b; r++) {
                    for (int j = 0; j < hid; j++) {
                        int gi = r * 4 * hid + j, gf = gi + hid, gg = gf + hid, go = gg + hid, s = r * hid + j;
                        double tc = Math.tanh(cf[s]), dc = gc[s] + (double) gh[s] * a[go] * (1 - tc * tc);
                        gGates[gi] = dc * a[gg] * a[gi] * (1 - a[gi]);
                        gGates[gf] = dc * cp[s] * a[gf] * (1 - a[gf]);
                        gGates[gg] = dc * a[gi] * (1 - (double) a[gg] * a[gg]);
                        gGates[go] = gh[s] * tc * a[go] * (1 - a[go]);
                        gcPrev[s] = dc * a[gf];
                    }
                }
                Storage sgg = h.empty(b * 4 * hid), sgcp = h.empty(b * hid);
                k.lstmBackward(hid, seg(sact), seg(scp), seg(sc), seg(h.store(gh)), seg(h.store(gc)), seg(sgg), seg(sgcp), 0, b);
                assertClose(what + " gate gradients", gGates, read(sgg), TOL_SCALE);
                assertClose(what + " cPrev gradient", gcPrev, read(sgcp), TOL_SCALE);
            }
        }
    }

    @Test
    void gruForwardAndBackwardMatchFloat64() {
        int b = 5;
        for (CellRows k : kernels()) {
            for (int hid : new int[] {16, 48, 7}) {
                String what = k.name() + " gru hidden " + hid;
                float[] xg = gates(6, b * 3 * hid), hg = gates(7, b * 3 * hid), hp = uniform(8, b * hid, 1), gh = uniform(9, b * hid, 1);
                double[] act = new double[b * 3 * hid], hOut = new double[b * hid];
                for (int r = 0; r < b; r++) {
                    for (int j = 0; j < hid; j++) {
                        int gr = r * 3 * hid + j, gz = gr + hid, gn = gz + hid, s = r * hid + j;
                        double rr = sigmoid((double) xg[gr] + hg[gr]), z = sigmoid((double) xg[gz] + hg[gz]);
                        double n = Math.tanh(xg[gn] + rr * hg[gn]);
                        act[gr] = rr;
                        act[gz] = z;
                        act[gn] = n;
                        hOut[s] = (1 - z) * n + z * hp[s];
                    }
                }
                Storage sxg = h.store(xg), shg = h.store(hg), shp = h.store(hp), sh = h.empty(b * hid), sact = h.empty(b * 3 * hid);
                k.gru(hid, seg(sxg), seg(shg), seg(shp), seg(sh), seg(sact), 0, b);
                assertClose(what + " gates", act, read(sact), TOL_SCALE);
                assertClose(what + " h", hOut, read(sh), TOL_SCALE);

                float[] a = read(sact);
                double[] gx = new double[b * 3 * hid], ghh = new double[b * 3 * hid], ghp = new double[b * hid];
                for (int r = 0; r < b; r++) {
                    for (int j = 0; j < hid; j++) {
                        int gr = r * 3 * hid + j, gz = gr + hid, gn = gz + hid, s = r * hid + j;
                        double rr = a[gr], z = a[gz], n = a[gn], dh = gh[s];
                        double dz = dh * (hp[s] - n) * z * (1 - z), dn = dh * (1 - z) * (1 - n * n), dr = dn * hg[gn] * rr * (1 - rr);
                        gx[gr] = dr;
                        gx[gz] = dz;
                        gx[gn] = dn;
                        ghh[gr] = dr;
                        ghh[gz] = dz;
                        ghh[gn] = dn * rr;
                        ghp[s] = dh * z;
                    }
                }
                Storage sgx = h.empty(b * 3 * hid), sghh = h.empty(b * 3 * hid), sghp = h.empty(b * hid);
                k.gruBackward(hid, seg(sact), seg(shg), seg(shp), seg(h.store(gh)), seg(sgx), seg(sghh), seg(sghp), 0, b);
                assertClose(what + " input-gate gradients", gx, read(sgx), TOL_SCALE);
                assertClose(what + " hidden-gate gradients", ghh, read(sghh), TOL_SCALE);
                assertClose(what + " hPrev gradient", ghp, read(sghp), TOL_SCALE);
            }
        }
    }

    @Test
    void rowSplitsGiveTheSameBits() {
        int b = 6, hid = 32;
        float[] xg = gates(10, b * 4 * hid), hg = gates(11, b * 4 * hid), cp = uniform(12, b * hid, 3);
        Storage sxg = h.store(xg), shg = h.store(hg), scp = h.store(cp);
        float[][] out = new float[2][];
        for (int split = 0; split < 2; split++) {
            Storage sh = h.empty(b * hid), sc = h.empty(b * hid), sact = h.empty(b * 4 * hid);
            if (split == 0) {
                CellRows.get().lstm(hid, seg(sxg), seg(shg), seg(scp), seg(sh), seg(sc), seg(sact), 0, b);
            } else {
                for (int r = 0; r < b; r++) CellRows.get().lstm(hid, seg(sxg), seg(shg), seg(scp), seg(sh), seg(sc), seg(sact), r, r + 1);
            }
            out[split] = read(sh);
        }
        assertBitIdentical("lstm h, rows together vs one at a time", out[0], out[1]);
    }

    @Test
    void threadCountDoesNotChangeBits() {
        // 1,100 rows of 16: several tasks of the backend's row split.
        int b = 1100, hid = 16;
        float[] xg = gates(13, b * 4 * hid), hg = gates(14, b * 4 * hid), cp = uniform(15, b * hid, 3), gh = uniform(16, b * hid, 1);
        float[][] got = new float[2][];
        int[] threads = {1, 3};
        for (int t = 0; t < 2; t++) {
            try (KernelHarness k = new KernelHarness(threads[t])) {
                CpuBackend be = k.cpu;
                RnnCellSpec spec = new RnnCellSpec(b, hid);
                Storage sh = k.empty(b * hid), sc = k.empty(b * hid), sact = k.empty(b * 4 * hid), sg = k.empty(b * 4 * hid), sgc = k.empty(b * hid);
                be.lstmCell(spec, k.store(xg), k.store(hg), k.store(cp), sh, sc, sact);
                be.lstmCellBackward(spec, sact, k.store(cp), sc, k.store(gh), k.store(gh), sg, sgc);
                float[] hv = read(sh), gv = read(sg);
                got[t] = new float[hv.length + gv.length];
                System.arraycopy(hv, 0, got[t], 0, hv.length);
                System.arraycopy(gv, 0, got[t], hv.length, gv.length);
            }
        }
        assertBitIdentical("lstm cell forward and backward, 1 vs 3 threads", got[0], got[1]);
    }
}
