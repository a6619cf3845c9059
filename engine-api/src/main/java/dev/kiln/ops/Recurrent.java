package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.Backend;
import dev.kiln.spi.RnnCellSpec;
import dev.kiln.spi.StridedCopySpec;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * The fused LSTM and GRU cells: one SPI call computes every gate and the new state from the two
 * projections, and one SPI call runs the backward. The LSTM cell has two outputs; each is
 * recorded with the cell's backward applied to its own gradient (the other taken as zero), and
 * autograd adds the two contributions, which is exact because the backward is linear in them.
 */
final class Recurrent {
    private Recurrent() {}

    static Tensor[] lstmCell(Tensor inputGates, Tensor hiddenGates, Tensor cPrev) {
        String op = "lstm_cell";
        RnnCellSpec spec = cellSpec(op, 4, inputGates, hiddenGates, cPrev, "cx");
        Backend backend = cPrev.backend();
        int b = spec.batch(), h = spec.hidden();
        Tensor hOut = empty(backend, b, h);
        Tensor cOut = empty(backend, b, h);
        Tensor act = empty(backend, b, 4 * h);
        if (spec.stateNumel() > 0) {
            try (Pin px = pin(op, inputGates); Pin ph = pin(op, hiddenGates); Pin pc = pin(op, cPrev)) {
                backend.lstmCell(spec, px.storage(), ph.storage(), pc.storage(), storage(hOut), storage(cOut), storage(act));
            }
        }
        Tensor[] inputs = {inputGates, hiddenGates, cPrev};
        if (!Autograd.needsGrad(inputs)) {
            act.close();
            return new Tensor[] {hOut, cOut};
        }
        Autograd.record(op, hOut, inputs.clone(), g -> lstmCellGrads(spec, inputs, act, cOut, g, null));
        Autograd.record(op, cOut, inputs.clone(), g -> lstmCellGrads(spec, inputs, act, cOut, null, g));
        return new Tensor[] {hOut, cOut};
    }

    /** Gradients of the three cell inputs from {@code gh} and {@code gc}, either of which may be null (zero). */
    private static Tensor[] lstmCellGrads(RnnCellSpec spec, Tensor[] in, Tensor act, Tensor c, Tensor gh, Tensor gc) {
        Backend backend = c.backend();
        int b = spec.batch(), h = spec.hidden();
        Tensor ghz = gh != null ? gh : zeros(backend, b, h);
        Tensor gcz = gc != null ? gc : zeros(backend, b, h);
        Tensor gGates = empty(backend, b, 4 * h);
        Tensor gcPrev = empty(backend, b, h);
        if (spec.stateNumel() > 0) {
            try (Pin pc = pin("lstm_cell", in[2]); Pin pcn = pin("lstm_cell", c); Pin pgh = pin("lstm_cell", ghz);
                 Pin pgc = pin("lstm_cell", gcz)) {
                backend.lstmCellBackward(spec, storage(act), pc.storage(), pcn.storage(), pgh.storage(), pgc.storage(), storage(gGates),
                        storage(gcPrev));
            }
        }
        return new Tensor[] {in[0].requiresGrad() ? gGates : null, in[1].requiresGrad() ? copy(gGates) : null,
            in[2].requiresGrad() ? gcPrev : null};
    }

    static Tensor gruCell(Tensor inputGates, Tensor hiddenGates, Tensor hPrev) {
        String op = "gru_cell";
        RnnCellSpec spec = cellSpec(op, 3, inputGates, hiddenGates, hPrev, "hx");
        Backend backend = hPrev.backend();
        int b = spec.batch(), h = spec.hidden();
        Tensor hOut = empty(backend, b, h);
        Tensor act = empty(backend, b, 3 * h);
        if (spec.stateNumel() > 0) {
            try (Pin px = pin(op, inputGates); Pin ph = pin(op, hiddenGates); Pin pp = pin(op, hPrev)) {
                backend.gruCell(spec, px.storage(), ph.storage(), pp.storage(), storage(hOut), storage(act));
            }
        }
        Tensor[] inputs = {inputGates, hiddenGates, hPrev};
        if (!Autograd.needsGrad(inputs)) {
            act.close();
            return hOut;
        }
        Autograd.record(op, hOut, inputs.clone(), g -> {
            Tensor gx = empty(backend, b, 3 * h), gh = empty(backend, b, 3 * h), gp = empty(backend, b, h);
            if (spec.stateNumel() > 0) {
                try (Pin ph = pin(op, hiddenGates); Pin pp = pin(op, hPrev); Pin pg = pin(op, g)) {
                    backend.gruCellBackward(spec, storage(act), ph.storage(), pp.storage(), pg.storage(), storage(gx), storage(gh),
                            storage(gp));
                }
            }
            return new Tensor[] {inputGates.requiresGrad() ? gx : null, hiddenGates.requiresGrad() ? gh : null,
                hPrev.requiresGrad() ? gp : null};
        });
        return hOut;
    }

    /** Validates a cell's operands: a state {@code [B, H]} and two gate tensors {@code [B, gates * H]}. */
    private static RnnCellSpec cellSpec(String op, int gates, Tensor inputGates, Tensor hiddenGates, Tensor state, String stateName) {
        Checks.notNull(op, new Tensor[] {inputGates, hiddenGates, state}, "input_gates", "hidden_gates", stateName);
        Checks.floats(op, inputGates, hiddenGates, state);
        Checks.sameDevice(op, inputGates, hiddenGates, state);
        int[] s = state.shape();
        if (s.length != 2) {
            throw new IllegalArgumentException(op + ": expected " + stateName + " of shape [batch, hidden], got " + Shape.str(s));
        }
        long width = (long) gates * s[1];
        int[] want = {s[0], (int) Math.min(width, Integer.MAX_VALUE)};
        for (Tensor t : new Tensor[] {inputGates, hiddenGates}) {
            if (!java.util.Arrays.equals(t.shape(), want) || width > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": expected " + (t == inputGates ? "input_gates" : "hidden_gates") + " of shape "
                        + Shape.str(want) + " ([batch, " + gates + " * hidden] for " + stateName + " " + Shape.str(s) + "), got "
                        + Shape.str(t.shape()));
            }
        }
        return new RnnCellSpec(s[0], s[1]);
    }

    static Tensor zeros(Backend backend, int... shape) {
        Tensor t = empty(backend, shape);
        if (t.numel() > 0) backend.fill(storage(t), 0f);
        return t;
    }

    static Tensor copy(Tensor t) {
        Tensor out = empty(t.backend(), t.shape());
        if (t.numel() > 0) t.backend().copy(storage(t), storage(out));
        return out;
    }

    /** Writes {@code src [rows, cols]} into row block {@code slot} of {@code dst}. */
    static void scatterSlot(Backend backend, Tensor src, Tensor dst, int slot, int rows, int cols) {
        long off = (long) slot * rows * cols;
        backend.stridedCopy(StridedCopySpec.scatter(new int[] {rows, cols}, off, new long[] {cols, 1}), storage(src), storage(dst));
    }
}
