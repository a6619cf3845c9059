package dev.kiln.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.spi.RnnCellSpec;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * rnn.cu's fused LSTM and GRU cells transcribed into Java and run on the launches {@link KernelOps}
 * records: a thread per state element over the launch grid, the gate column blocks of
 * {@code [batch, G * hidden]} in PyTorch's order. Forward against float64 formulas, backward
 * against central finite differences of a float64 cell (so the gradient formulas themselves are
 * checked, not only their indexing); every output element written exactly once.
 */
class RnnKernelEmulationTest {

    private static float sigmoid(float v) {
        return 1f / (1f + (float) Math.exp(-v));
    }

    private static float tanh(float v) {
        return (float) Math.tanh(v);
    }

    /** The elements k each thread of the launch's grid takes (grid-stride over {@code n}), in thread order. */
    private static long[] elements(RecordingLauncher.Launch l, long n) {
        long threads = (long) l.gridX() * l.blockX();
        long[] out = new long[(int) n];
        int at = 0;
        for (long g = 0; g < threads; g++) for (long k = g; k < n; k += threads) out[at++] = k;
        assertEquals(n, at, l.kernel() + ": elements covered");
        return out;
    }

    /** kiln_lstm_cell_f32. */
    private static void lstmCell(RecordingLauncher.Launch l, EmulatedDevice d) {
        List<Object> a = l.args();
        float[] xg = d.f(a.get(0)), hg = d.f(a.get(1)), cPrev = d.f(a.get(2));
        Object h = a.get(3), c = a.get(4), act = a.get(5);
        long batch = (Long) a.get(6), hidden = (Long) a.get(7);
        for (long k : elements(l, batch * hidden)) {
            long row = k / hidden, j = k - row * hidden;
            int gi = (int) (row * 4 * hidden + j), gf = (int) (gi + hidden), gg = (int) (gf + hidden), go = (int) (gg + hidden);
            float i = sigmoid(xg[gi] + hg[gi]), f = sigmoid(xg[gf] + hg[gf]), g = tanh(xg[gg] + hg[gg]), o = sigmoid(xg[go] + hg[go]);
            float cn = f * cPrev[(int) k] + i * g;
            d.store(c, k, cn);
            d.store(h, k, o * tanh(cn));
            d.store(act, gi, i);
            d.store(act, gf, f);
            d.store(act, gg, g);
            d.store(act, go, o);
        }
    }

    /** kiln_lstm_cell_backward_f32. */
    private static void lstmCellBackward(RecordingLauncher.Launch l, EmulatedDevice d) {
        List<Object> a = l.args();
        float[] act = d.f(a.get(0)), cPrev = d.f(a.get(1)), c = d.f(a.get(2)), gh = d.f(a.get(3)), gc = d.f(a.get(4));
        Object gGates = a.get(5), gcPrev = a.get(6);
        long batch = (Long) a.get(7), hidden = (Long) a.get(8);
        for (long k : elements(l, batch * hidden)) {
            long row = k / hidden, j = k - row * hidden;
            int gi = (int) (row * 4 * hidden + j), gf = (int) (gi + hidden), gg = (int) (gf + hidden), go = (int) (gg + hidden);
            float i = act[gi], f = act[gf], g = act[gg], o = act[go];
            float tc = tanh(c[(int) k]), dh = gh[(int) k];
            float dc = gc[(int) k] + dh * o * (1f - tc * tc);
            d.store(gGates, gi, dc * g * i * (1f - i));
            d.store(gGates, gf, dc * cPrev[(int) k] * f * (1f - f));
            d.store(gGates, gg, dc * i * (1f - g * g));
            d.store(gGates, go, dh * tc * o * (1f - o));
            d.store(gcPrev, k, dc * f);
        }
    }

    /** kiln_gru_cell_f32. */
    private static void gruCell(RecordingLauncher.Launch l, EmulatedDevice d) {
        List<Object> a = l.args();
        float[] xg = d.f(a.get(0)), hg = d.f(a.get(1)), hPrev = d.f(a.get(2));
        Object h = a.get(3), act = a.get(4);
        long batch = (Long) a.get(5), hidden = (Long) a.get(6);
        for (long k : elements(l, batch * hidden)) {
            long row = k / hidden, j = k - row * hidden;
            int gr = (int) (row * 3 * hidden + j), gz = (int) (gr + hidden), gn = (int) (gz + hidden);
            float r = sigmoid(xg[gr] + hg[gr]), z = sigmoid(xg[gz] + hg[gz]), n = tanh(xg[gn] + r * hg[gn]);
            d.store(h, k, (1f - z) * n + z * hPrev[(int) k]);
            d.store(act, gr, r);
            d.store(act, gz, z);
            d.store(act, gn, n);
        }
    }

    /** kiln_gru_cell_backward_f32. */
    private static void gruCellBackward(RecordingLauncher.Launch l, EmulatedDevice d) {
        List<Object> a = l.args();
        float[] act = d.f(a.get(0)), hg = d.f(a.get(1)), hPrev = d.f(a.get(2)), gh = d.f(a.get(3));
        Object gxg = a.get(4), ghg = a.get(5), ghPrev = a.get(6);
        long batch = (Long) a.get(7), hidden = (Long) a.get(8);
        for (long k : elements(l, batch * hidden)) {
            long row = k / hidden, j = k - row * hidden;
            int gr = (int) (row * 3 * hidden + j), gz = (int) (gr + hidden), gn = (int) (gz + hidden);
            float r = act[gr], z = act[gz], n = act[gn], dh = gh[(int) k];
            float dz = dh * (hPrev[(int) k] - n) * z * (1f - z);
            float dn = dh * (1f - z) * (1f - n * n);
            float dr = dn * hg[gn] * r * (1f - r);
            d.store(gxg, gr, dr);
            d.store(gxg, gz, dz);
            d.store(gxg, gn, dn);
            d.store(ghg, gr, dr);
            d.store(ghg, gz, dz);
            d.store(ghg, gn, dn * r);
            d.store(ghPrev, k, dh * z);
        }
    }

    // ---- float64 references ----

    private static double sig(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** {h, c} of the LSTM cell for one element from its four pre-activations a (xg + hg) and cPrev. */
    private static double[] lstm(double[] a, double cPrev) {
        double c = sig(a[1]) * cPrev + sig(a[0]) * Math.tanh(a[2]);
        return new double[] {sig(a[3]) * Math.tanh(c), c};
    }

    /** h of the GRU cell for one element: x and hh hold the (r, z, n) parts of both projections. */
    private static double gru(double[] x, double[] hh, double hPrev) {
        double r = sig(x[0] + hh[0]), z = sig(x[1] + hh[1]), n = Math.tanh(x[2] + r * hh[2]);
        return (1 - z) * n + z * hPrev;
    }

    /** Central difference of f at v[i]. */
    private static double diff(double[] v, int i, ToDoubleFunction<double[]> f) {
        double h = 1e-6, keep = v[i];
        v[i] = keep + h;
        double up = f.applyAsDouble(v);
        v[i] = keep - h;
        double down = f.applyAsDouble(v);
        v[i] = keep;
        return (up - down) / (2 * h);
    }

    private static float[] random(Random rnd, int n, double sd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * sd);
        return v;
    }

    private static void near(double expected, float got, String what) {
        assertEquals(expected, got, 2e-5 + 1e-4 * Math.abs(expected), what);
    }

    private static final int[][] SHAPES = {{1, 1}, {3, 5}, {17, 33}, {64, 128}, {2, 300}};

    @Test
    void lstmCellForwardAndBackward() {
        Random rnd = new Random(21);
        for (int[] shape : SHAPES) {
            int batch = shape[0], hidden = shape[1], n = batch * hidden;
            RnnCellSpec spec = new RnnCellSpec(batch, hidden);
            float[] xg = random(rnd, 4 * n, 1), hg = random(rnd, 4 * n, 1), cPrev = random(rnd, n, 1), gh = random(rnd, n, 1), gc = random(rnd, n, 1);
            RecordingLauncher rec = new RecordingLauncher();
            KernelOps ops = new KernelOps(rec);
            EmulatedDevice d = new EmulatedDevice();
            long xa = d.put(xg), ha = d.put(hg), ca = d.put(cPrev), h = d.poisoned(n), c = d.poisoned(n), act = d.poisoned(4 * n);
            long gha = d.put(gh), gca = d.put(gc), gGates = d.poisoned(4 * n), gcPrev = d.poisoned(n);
            ops.lstmCell(spec, xa, ha, ca, h, c, act);
            lstmCell(rec.last(), d);
            ops.lstmCellBackward(spec, act, ca, c, gha, gca, gGates, gcPrev);
            lstmCellBackward(rec.last(), d);
            String what = "lstm " + batch + "x" + hidden;
            for (long buf : new long[] {h, c, act, gGates, gcPrev}) d.assertEachWrittenOnce(buf, what);
            for (int k = 0; k < n; k++) {
                int row = k / hidden, j = k % hidden;
                double[] pre = new double[5];  // the four gates' pre-activations, then cPrev
                for (int g = 0; g < 4; g++) pre[g] = (double) xg[row * 4 * hidden + g * hidden + j] + hg[row * 4 * hidden + g * hidden + j];
                pre[4] = cPrev[k];
                double[] hc = lstm(pre, pre[4]);
                near(hc[0], d.f(h)[k], what + " h[" + k + "]");
                near(hc[1], d.f(c)[k], what + " c[" + k + "]");
                int kk = k;
                ToDoubleFunction<double[]> loss = v -> {
                    double[] r = lstm(v, v[4]);
                    return gh[kk] * r[0] + gc[kk] * r[1];
                };
                for (int g = 0; g < 4; g++) near(diff(pre, g, loss), d.f(gGates)[row * 4 * hidden + g * hidden + j], what + " gate " + g + " gradient at " + k);
                near(diff(pre, 4, loss), d.f(gcPrev)[k], what + " gcPrev[" + k + "]");
            }
        }
    }

    @Test
    void gruCellForwardAndBackward() {
        Random rnd = new Random(22);
        for (int[] shape : SHAPES) {
            int batch = shape[0], hidden = shape[1], n = batch * hidden;
            RnnCellSpec spec = new RnnCellSpec(batch, hidden);
            float[] xg = random(rnd, 3 * n, 1), hg = random(rnd, 3 * n, 1), hPrev = random(rnd, n, 1), gh = random(rnd, n, 1);
            RecordingLauncher rec = new RecordingLauncher();
            KernelOps ops = new KernelOps(rec);
            EmulatedDevice d = new EmulatedDevice();
            long xa = d.put(xg), ha = d.put(hg), hp = d.put(hPrev), h = d.poisoned(n), act = d.poisoned(3 * n);
            long gha = d.put(gh), gxg = d.poisoned(3 * n), ghg = d.poisoned(3 * n), ghPrev = d.poisoned(n);
            ops.gruCell(spec, xa, ha, hp, h, act);
            gruCell(rec.last(), d);
            ops.gruCellBackward(spec, act, ha, hp, gha, gxg, ghg, ghPrev);
            gruCellBackward(rec.last(), d);
            String what = "gru " + batch + "x" + hidden;
            for (long buf : new long[] {h, act, gxg, ghg, ghPrev}) d.assertEachWrittenOnce(buf, what);
            for (int k = 0; k < n; k++) {
                int row = k / hidden, j = k % hidden;
                double[] v = new double[7];  // x parts r, z, n; h parts r, z, n; hPrev
                for (int g = 0; g < 3; g++) {
                    v[g] = xg[row * 3 * hidden + g * hidden + j];
                    v[3 + g] = hg[row * 3 * hidden + g * hidden + j];
                }
                v[6] = hPrev[k];
                ToDoubleFunction<double[]> cell = w -> gru(new double[] {w[0], w[1], w[2]}, new double[] {w[3], w[4], w[5]}, w[6]);
                near(cell.applyAsDouble(v), d.f(h)[k], what + " h[" + k + "]");
                int kk = k;
                ToDoubleFunction<double[]> loss = w -> gh[kk] * cell.applyAsDouble(w);
                for (int g = 0; g < 3; g++) {
                    near(diff(v, g, loss), d.f(gxg)[row * 3 * hidden + g * hidden + j], what + " input gate " + g + " gradient at " + k);
                    near(diff(v, 3 + g, loss), d.f(ghg)[row * 3 * hidden + g * hidden + j], what + " hidden gate " + g + " gradient at " + k);
                }
                near(diff(v, 6, loss), d.f(ghPrev)[k], what + " ghPrev[" + k + "] (pointwise part)");
            }
        }
    }
}
