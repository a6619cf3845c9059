package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;
import static dev.kiln.ops.Recurrent.scatterSlot;
import static dev.kiln.ops.Recurrent.zeros;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.Broadcast;
import dev.kiln.spi.MatmulSpec;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.spi.RnnCellSpec;
import dev.kiln.spi.Storage;
import dev.kiln.spi.StridedCopySpec;
import dev.kiln.spi.UnaryOp;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;

/**
 * One layer and one direction of a recurrent network over a whole sequence, as a single autograd
 * node with hand-written backpropagation through time. The input projections of every step come
 * in precomputed (one GEMM over the sequence, by the caller); each step runs one GEMM
 * {@code [B, H] x [H, G*H]} for the recurrent projection (accumulating onto the step's input
 * projections, except for the GRU) and one fused cell call. Backward runs
 * the steps in reverse: one fused cell backward and one GEMM for the gradient carried to the
 * previous state per step; the recurrent weight's gradient is one GEMM over all steps at the end,
 * {@code [G*H, T*B] x [T*B, H]} (gate gradients by the states they multiplied), which splits
 * between threads far better than T products of depth B.
 *
 * <p>The node's output packs the hidden state of every time step (and, for the LSTM, the final
 * cell state as one more slot); the outputs returned to the caller are slices of it, so their
 * gradients all arrive in the packed gradient.
 */
final class RecurrentScan {
    private RecurrentScan() {}

    /** The cell run at each step, with its op name and gate count. */
    enum Cell {
        LSTM("lstm", 4), GRU("gru", 3), RNN_TANH("rnn_tanh", 1), RNN_RELU("rnn_relu", 1);

        final String op;
        final int gates;

        Cell(String op, int gates) {
            this.op = op;
            this.gates = gates;
        }
    }

    static Tensor[] scan(Cell cell, Tensor xg, Tensor wHh, Tensor bHh, Tensor h0, Tensor c0, boolean reverse) {
        String op = cell.op;
        Checks.notNull(op, new Tensor[] {xg, wHh}, "input_gates", "weight_hh");
        Checks.floats(op, xg, wHh, bHh, h0, c0);
        Checks.sameDevice(op, xg, wHh, bHh, h0, c0);
        int g = cell.gates;
        int[] ws = wHh.shape(), xs = xg.shape();
        if (ws.length != 2 || (long) ws[1] * g != ws[0]) {
            throw new IllegalArgumentException(op + ": expected weight_hh of shape [" + g + " * hidden, hidden], got " + Shape.str(ws));
        }
        int hid = ws[1], gh = ws[0];
        if (xs.length != 3 || xs[2] != gh) {
            throw new IllegalArgumentException(op + ": expected input_gates of shape [seq_len, batch, " + gh + "] (weight_hh "
                    + Shape.str(ws) + "), got " + Shape.str(xs));
        }
        int steps = xs[0], batch = xs[1];
        if (steps < 1 || batch < 1 || hid < 1) {
            throw new IllegalArgumentException(op + ": expected a non-empty sequence, batch and hidden size, got input_gates "
                    + Shape.str(xs) + " and weight_hh " + Shape.str(ws));
        }
        Checks.vector(op, "bias_hh", bHh, gh);
        checkState(op, "h0", h0, batch, hid);
        if (cell != Cell.LSTM && c0 != null) throw new IllegalArgumentException(op + ": c0 is only used by the LSTM");
        checkState(op, "c0", c0, batch, hid);
        return new Run(cell, xg, wHh, bHh, h0, c0, reverse, steps, batch, hid).forward();
    }

    private static void checkState(String op, String name, Tensor t, int batch, int hid) {
        if (t != null && !Arrays.equals(t.shape(), new int[] {batch, hid})) {
            throw new IllegalArgumentException(op + ": expected " + name + " of shape " + Shape.str(new int[] {batch, hid})
                    + " [batch, hidden], got " + Shape.str(t.shape()));
        }
    }

    /** The state of one scan: inputs, sizes and what the forward saves for backward. */
    private static final class Run {
        final Cell cell;
        final Tensor xg, wHh, bHh, h0, c0;
        final boolean reverse, lstm, gru;
        final int steps, batch, hid, gh;
        final RnnCellSpec spec;
        final Backend be;
        /** Hidden (and LSTM cell) state before processing step s (index s) and after the last (index steps). */
        final Tensor[] hs, cs;
        /** Activated gates (LSTM, GRU) and recurrent projections (GRU) of each processed step. */
        final Tensor[] acts, hgs;

        Run(Cell cell, Tensor xg, Tensor wHh, Tensor bHh, Tensor h0, Tensor c0, boolean reverse, int steps, int batch, int hid) {
            this.cell = cell;
            this.xg = xg;
            this.wHh = wHh;
            this.bHh = bHh;
            this.h0 = h0;
            this.c0 = c0;
            this.reverse = reverse;
            this.lstm = cell == Cell.LSTM;
            this.gru = cell == Cell.GRU;
            this.steps = steps;
            this.batch = batch;
            this.hid = hid;
            this.gh = cell.gates * hid;
            this.spec = new RnnCellSpec(batch, hid);
            this.be = xg.backend();
            this.hs = new Tensor[steps + 1];
            this.cs = lstm ? new Tensor[steps + 1] : null;
            this.acts = new Tensor[steps];
            this.hgs = gru ? new Tensor[steps] : null;
        }

        /** Time index of processing step s. */
        int time(int s) {
            return reverse ? steps - 1 - s : s;
        }

        Tensor[] forward() {
            boolean grad = Autograd.needsGrad(xg, wHh, bHh, h0, c0);
            Tensor packed = empty(be, steps + (lstm ? 1 : 0), batch, hid);
            hs[0] = h0 != null ? h0 : zeros(be, batch, hid);
            if (lstm) cs[0] = c0 != null ? c0 : zeros(be, batch, hid);
            int[] gates = {batch, gh};
            try (Pin pxg = pin(cell.op, xg); Pin pw = pin(cell.op, wHh); Pin pb = bHh == null ? null : pin(cell.op, bHh);
                 Pin ph0 = pin(cell.op, hs[0]); Pin pc0 = lstm ? pin(cell.op, cs[0]) : null) {
                // LSTM and RNN: the step's slot of xg is copied into hg and the GEMM accumulates onto it, the
                // bias rows (made once) joining in the cell. The GRU keeps W_hh h + b_hh apart (r scales its n part).
                Tensor rows = null;
                if (!gru && pb != null) {
                    rows = empty(be, gates);
                    be.stridedCopy(StridedCopySpec.gather(gates, 0, new long[] {0, 1}), pb.storage(), storage(rows));
                } else if (lstm) {
                    rows = zeros(be, gates);
                }
                // W_hh^T once, contiguous: every step's GEMM then reads B in its stored order, where
                // a transposed B would be re-gathered (a transpose) by the GEMM at each step.
                Tensor wT = empty(be, hid, gh);
                be.stridedCopy(StridedCopySpec.gather(new int[] {hid, gh}, 0, new long[] {1, hid}), pw.storage(), storage(wT));
                for (int s = 0; s < steps; s++) {
                    Storage hPrev = s == 0 ? ph0.storage() : storage(hs[s]);
                    StridedCopySpec xSlot = StridedCopySpec.gather(gates, (long) time(s) * batch * gh, new long[] {gh, 1});
                    Tensor hg = empty(be, gates);
                    if (gru && pb != null) be.stridedCopy(StridedCopySpec.gather(gates, 0, new long[] {0, 1}), pb.storage(), storage(hg));
                    if (!gru) be.stridedCopy(xSlot, pxg.storage(), storage(hg));
                    be.matmul(new MatmulSpec(1, batch, gh, hid, false, false, false, false, !gru || pb != null), hPrev, storage(wT), storage(hg));
                    Tensor h = empty(be, batch, hid);
                    switch (cell) {
                        case LSTM -> {
                            Storage cPrev = s == 0 ? pc0.storage() : storage(cs[s]);
                            cs[s + 1] = empty(be, batch, hid);
                            acts[s] = empty(be, gates);
                            be.lstmCell(spec, storage(rows), storage(hg), cPrev, storage(h), storage(cs[s + 1]), storage(acts[s]));
                            hg.close();
                        }
                        case GRU -> {
                            Tensor xt = empty(be, gates);
                            be.stridedCopy(xSlot, pxg.storage(), storage(xt));
                            acts[s] = empty(be, gates);
                            be.gruCell(spec, storage(xt), storage(hg), hPrev, storage(h), storage(acts[s]));
                            hgs[s] = hg;
                            xt.close();
                        }
                        default -> {
                            if (rows != null) be.binary(BinaryOp.ADD, new Broadcast(gates, gates, gates), storage(hg), storage(rows), storage(hg));
                            be.unary(cell == Cell.RNN_TANH ? UnaryOp.TANH : UnaryOp.RELU, 0f, storage(hg), storage(h));
                            hg.close();
                        }
                    }
                    scatterSlot(be, h, packed, time(s), batch, hid);
                    hs[s + 1] = h;
                    if (!grad) release(s);
                }
                if (lstm) scatterSlot(be, cs[steps], packed, steps, batch, hid);
                if (rows != null) rows.close();
                wT.close();
            }
            if (grad) {
                Autograd.record(cell.op, packed, new Tensor[] {xg, wHh, bHh, h0, c0}, this::backward);
            } else {
                release(steps);
            }
            Tensor out = lstm ? Functional.narrow(packed, 0, 0, steps) : packed;
            Tensor hN = Functional.select(packed, 0, reverse ? 0 : steps - 1);
            if (!lstm) return new Tensor[] {out, hN};
            Tensor cN = Functional.select(packed, 0, steps);
            if (!grad) packed.close();
            return new Tensor[] {out, hN, cN};
        }

        /** Without a graph, frees what step s saved as soon as the next step no longer needs it (never the caller's tensors). */
        private void release(int s) {
            if (s > 0 || h0 == null) hs[s].close();
            if (lstm && (s > 0 || c0 == null)) cs[s].close();
            if (s < steps) {
                if (acts[s] != null) acts[s].close();
                if (gru) hgs[s].close();
            }
        }

        private Tensor[] backward(Tensor g) {
            String op = cell.op;
            boolean needW = wHh.requiresGrad(), needB = bHh != null && bHh.requiresGrad();
            boolean needH0 = h0 != null && h0.requiresGrad(), needC0 = c0 != null && c0.requiresGrad();
            int[] gates = {batch, gh}, state = {batch, hid};
            Broadcast same = new Broadcast(state, state, state);
            Tensor gxg = empty(be, steps, batch, gh);
            Tensor gW = needW ? empty(be, gh, hid) : null;
            // Per time step: the recurrent projections' gradients (the GRU's differ from its input gates') and
            // the states they were computed from, for the weight and bias gradients after the loop.
            Tensor gHall = gru && (needB || needW) ? empty(be, steps, batch, gh) : null;
            Tensor hPrevAll = needW ? empty(be, steps, batch, hid) : null;
            Tensor gc = null, carry = null;
            try (Pin pg = pin(op, g); Pin pw = pin(op, wHh); Pin ph0 = pin(op, hs[0]); Pin pc0 = lstm ? pin(op, cs[0]) : null) {
                if (lstm) {
                    gc = empty(be, state);
                    be.stridedCopy(slot(steps), pg.storage(), storage(gc));
                }
                // The gradient reaching h at the step being processed: its slot of g plus what the later step carried back.
                Tensor gHt = empty(be, state);
                be.stridedCopy(slot(time(steps - 1)), pg.storage(), storage(gHt));
                for (int s = steps - 1; s >= 0; s--) {
                    Storage hPrev = s == 0 ? ph0.storage() : storage(hs[s]);
                    Tensor gX, gH, next = empty(be, state);
                    switch (cell) {
                        case LSTM -> {
                            gX = empty(be, gates);
                            gH = gX;
                            Tensor gcPrev = empty(be, state);
                            Storage cPrev = s == 0 ? pc0.storage() : storage(cs[s]);
                            be.lstmCellBackward(spec, storage(acts[s]), cPrev, storage(cs[s + 1]), storage(gHt), storage(gc), storage(gX),
                                    storage(gcPrev));
                            gc.close();
                            gc = gcPrev;
                        }
                        case GRU -> {
                            gX = empty(be, gates);
                            gH = empty(be, gates);
                            be.gruCellBackward(spec, storage(acts[s]), storage(hgs[s]), hPrev, storage(gHt), storage(gX), storage(gH),
                                    storage(next));
                        }
                        default -> {
                            gX = empty(be, gates);
                            gH = gX;
                            // ReLU's derivative reads its input's sign, which the output shares; tanh's reads the output.
                            UnaryOp f = cell == Cell.RNN_TANH ? UnaryOp.TANH : UnaryOp.RELU;
                            be.unaryBackward(f, 0f, storage(hs[s + 1]), storage(hs[s + 1]), storage(gHt), storage(gX));
                        }
                    }
                    gHt.close();
                    scatterSlot(be, gX, gxg, time(s), batch, gh);
                    if (gHall != null) scatterSlot(be, gH, gHall, time(s), batch, gh);
                    if (needW) {
                        be.stridedCopy(StridedCopySpec.scatter(state, (long) time(s) * batch * hid, new long[] {hid, 1}), hPrev,
                                storage(hPrevAll));
                    }
                    if (s > 0 || needH0) {
                        // next = (GRU: its pointwise part) + the previous step's slot of g + gH W_hh, the GEMM accumulating.
                        boolean accumulate = gru;
                        if (s > 0 && gru) {
                            Tensor slotG = empty(be, state);
                            be.stridedCopy(slot(time(s - 1)), pg.storage(), storage(slotG));
                            be.binary(BinaryOp.ADD, same, storage(next), storage(slotG), storage(next));
                            slotG.close();
                        } else if (s > 0) {
                            be.stridedCopy(slot(time(s - 1)), pg.storage(), storage(next));
                            accumulate = true;
                        }
                        be.matmul(new MatmulSpec(1, batch, hid, gh, false, false, false, false, accumulate), storage(gH), pw.storage(),
                                storage(next));
                    }
                    if (s > 0) gHt = next;
                    else carry = next;
                    if (gH != gX) gH.close();
                    gX.close();
                }
            }
            if (!needH0) {
                carry.close();
                carry = null;
            }
            if (needW) {
                be.matmul(new MatmulSpec(1, gh, hid, steps * batch, true, false, false, false, false), storage(gru ? gHall : gxg),
                        storage(hPrevAll), storage(gW));
                hPrevAll.close();
            }
            Tensor gb = null;
            if (needB) {
                gb = empty(be, gh);
                be.sum(new ReduceSpec(new int[] {steps * batch, gh}, new int[] {0}), storage(gru ? gHall : gxg), storage(gb));
            }
            if (gHall != null) gHall.close();
            return new Tensor[] {xg.requiresGrad() ? gxg : null, gW, gb, carry, needC0 ? gc : null};
        }

        /** Copy of time slot {@code t} of a {@code [slots, batch, hidden]} tensor into a {@code [batch, hidden]} one. */
        private StridedCopySpec slot(int t) {
            return StridedCopySpec.gather(new int[] {batch, hid}, (long) t * batch * hid, new long[] {hid, 1});
        }
    }
}
