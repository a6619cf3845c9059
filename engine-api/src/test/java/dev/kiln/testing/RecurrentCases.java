package dev.kiln.testing;

import dev.kiln.ops.Functional;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The fused LSTM and GRU cells and the recurrent scans (LSTM, GRU, tanh and relu RNN, both
 * directions, with and without bias and initial states). Each case's output joins everything the
 * op returns (the LSTM cell: h and c side by side; a scan: the output sequence, then the final
 * hidden and cell states as extra time slots), so the gradient check covers every output. The
 * references are float64 loops written from the gate equations of PyTorch's documentation.
 */
final class RecurrentCases {
    private RecurrentCases() {}

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        Inputs in = new Inputs(1111);
        for (int[] bh : new int[][] {{2, 3}, {5, 7}, {1, 1}}) {
            int b = bh[0], h = bh[1];
            cases.add(OpCase.named("lstmCell batch " + b + " hidden " + h).input(in.uniform(b, 4 * h)).input(in.uniform(b, 4 * h))
                    .input(in.uniform(b, h))
                    .kiln((be, t) -> {
                        Tensor[] hc = Functional.lstmCell(t[0], t[1], t[2]);
                        return Functional.cat(1, hc);
                    })
                    .ref(r -> lstmCellRef(r[0], r[1], r[2])));
            cases.add(OpCase.named("gruCell batch " + b + " hidden " + h).input(in.uniform(b, 3 * h)).input(in.uniform(b, 3 * h))
                    .input(in.uniform(b, h))
                    .kiln((be, t) -> Functional.gruCell(t[0], t[1], t[2]))
                    .ref(r -> gruCellRef(r[0], r[1], r[2])));
        }
        cases.add(OpCase.named("lstmCell cx constant").input(in.uniform(2, 8)).input(in.uniform(2, 8)).constant(in.uniform(2, 2))
                .kiln((be, t) -> Functional.lstmCell(t[0], t[1], t[2])[1]).ref(r -> narrowCols(lstmCellRef(r[0], r[1], r[2]), 2, 2)));
        // {steps, batch, hidden}
        int[][] sizes = {{3, 2, 3}, {1, 1, 2}, {4, 3, 2}};
        for (String kind : new String[] {"lstm", "gru", "rnn_tanh", "rnn_relu"}) {
            int g = kind.equals("lstm") ? 4 : kind.equals("gru") ? 3 : 1;
            for (int[] s : sizes) {
                for (boolean reverse : new boolean[] {false, true}) {
                    int steps = s[0], batch = s[1], hid = s[2];
                    boolean states = steps != 1;  // the one-step case runs from zero states without a bias
                    OpCase c = OpCase.named(kind + "Scan seq " + steps + " batch " + batch + " hidden " + hid + (reverse ? " reverse" : "")
                            + (states ? " with bias and initial states" : ", zero states, no bias"));
                    c.input(in.uniform(steps, batch, g * hid)).input(in.uniform(g * hid, hid));
                    if (states) {
                        c.input(in.uniform(g * hid)).input(in.uniform(batch, hid));
                        if (g == 4) c.input(in.uniform(batch, hid));
                    }
                    cases.add(c.kiln((be, t) -> scan(kind, t, states, reverse)).ref(r -> scanRef(kind, r, states, reverse, steps, batch, hid)));
                }
            }
        }
        return cases;
    }

    /** Runs a scan on {@code {xg, w_hh[, b_hh, h0[, c0]]}} and joins output, hN (and cN) along time. */
    private static Tensor scan(String kind, Tensor[] t, boolean states, boolean reverse) {
        Tensor b = states ? t[2] : null, h0 = states ? t[3] : null, c0 = states && kind.equals("lstm") ? t[4] : null;
        Tensor[] r = switch (kind) {
            case "lstm" -> Functional.lstmScan(t[0], t[1], b, h0, c0, reverse);
            case "gru" -> Functional.gruScan(t[0], t[1], b, h0, reverse);
            default -> Functional.rnnScan(t[0], t[1], b, h0, kind.substring(4), reverse);
        };
        Tensor[] parts = new Tensor[r.length];
        parts[0] = r[0];
        for (int i = 1; i < r.length; i++) parts[i] = Functional.unsqueeze(r[i], 0);
        return Functional.cat(0, parts);
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** {@code [B, 2H]}: h then c, from i, f, g, o gates. */
    static Nd lstmCellRef(Nd xg, Nd hg, Nd cPrev) {
        int b = cPrev.dim(0), h = cPrev.dim(1);
        double[] out = new double[b * 2 * h];
        for (int r = 0; r < b; r++) {
            for (int j = 0; j < h; j++) {
                double[] a = new double[4];
                for (int k = 0; k < 4; k++) a[k] = xg.data()[r * 4 * h + k * h + j] + hg.data()[r * 4 * h + k * h + j];
                double c = sigmoid(a[1]) * cPrev.data()[r * h + j] + sigmoid(a[0]) * Math.tanh(a[2]);
                out[r * 2 * h + j] = sigmoid(a[3]) * Math.tanh(c);
                out[r * 2 * h + h + j] = c;
            }
        }
        return new Nd(new int[] {b, 2 * h}, out);
    }

    /** {@code [B, H]} from r, z, n gates, n = tanh(x_n + r * h_n). */
    static Nd gruCellRef(Nd xg, Nd hg, Nd hPrev) {
        int b = hPrev.dim(0), h = hPrev.dim(1);
        double[] out = new double[b * h];
        for (int r = 0; r < b; r++) {
            for (int j = 0; j < h; j++) {
                int base = r * 3 * h + j;
                double rr = sigmoid(xg.data()[base] + hg.data()[base]);
                double z = sigmoid(xg.data()[base + h] + hg.data()[base + h]);
                double n = Math.tanh(xg.data()[base + 2 * h] + rr * hg.data()[base + 2 * h]);
                out[r * h + j] = (1 - z) * n + z * hPrev.data()[r * h + j];
            }
        }
        return new Nd(new int[] {b, h}, out);
    }

    private static Nd narrowCols(Nd x, int start, int len) {
        int rows = x.dim(0), cols = x.dim(1);
        double[] out = new double[rows * len];
        for (int r = 0; r < rows; r++) System.arraycopy(x.data(), r * cols + start, out, r * len, len);
        return new Nd(new int[] {rows, len}, out);
    }

    /** The scan step by step: hidden gates {@code h W_hh^T + b_hh}, then the cell; output slots in time order, then hN (and cN). */
    static Nd scanRef(String kind, Nd[] r, boolean states, boolean reverse, int steps, int batch, int hid) {
        int g = kind.equals("lstm") ? 4 : kind.equals("gru") ? 3 : 1, gh = g * hid;
        Nd w = r[1];
        double[] bias = states ? r[2].data() : new double[gh];
        Nd h = states ? r[3].copy() : Nd.zeros(batch, hid);
        Nd c = kind.equals("lstm") ? (states ? r[4].copy() : Nd.zeros(batch, hid)) : null;
        int slots = steps + 1 + (c != null ? 1 : 0);
        double[] out = new double[slots * batch * hid];
        for (int s = 0; s < steps; s++) {
            int t = reverse ? steps - 1 - s : s;
            double[] xg = new double[batch * gh], hg = new double[batch * gh];
            for (int b = 0; b < batch; b++) {
                for (int o = 0; o < gh; o++) {
                    double acc = bias[o];
                    for (int k = 0; k < hid; k++) acc += h.data()[b * hid + k] * w.data()[o * hid + k];
                    hg[b * gh + o] = acc;
                    xg[b * gh + o] = r[0].data()[(t * batch + b) * gh + o];
                }
            }
            Nd x = new Nd(new int[] {batch, gh}, xg), hh = new Nd(new int[] {batch, gh}, hg);
            switch (kind) {
                case "lstm" -> {
                    Nd hc = lstmCellRef(x, hh, c);
                    h = narrowCols(hc, 0, hid);
                    c = narrowCols(hc, hid, hid);
                }
                case "gru" -> h = gruCellRef(x, hh, h);
                default -> {
                    double[] nh = new double[batch * hid];
                    for (int i = 0; i < nh.length; i++) {
                        double a = xg[i] + hg[i];
                        nh[i] = kind.equals("rnn_tanh") ? Math.tanh(a) : Math.max(0, a);
                    }
                    h = new Nd(new int[] {batch, hid}, nh);
                }
            }
            System.arraycopy(h.data(), 0, out, t * batch * hid, batch * hid);
        }
        System.arraycopy(h.data(), 0, out, steps * batch * hid, batch * hid);
        if (c != null) System.arraycopy(c.data(), 0, out, (steps + 1) * batch * hid, batch * hid);
        return new Nd(new int[] {slots, batch, hid}, out);
    }
}
