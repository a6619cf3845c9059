package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.spi.ScalarOp;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/** Sum, mean and argmax. */
final class Reductions {
    private Reductions() {}

    /** Sum over {@code axes} (empty: all), scaled by {@code 1/count} when {@code mean}. */
    static Tensor reduce(String name, Tensor x, boolean keepDim, int[] axes, boolean mean) {
        Checks.notNull(name, x, "input");
        Checks.floats(name, x);
        int[] shape = x.shape();
        int[] ax = Checks.axes(name, shape, axes);
        ReduceSpec spec = new ReduceSpec(shape, ax);
        int[] kept = spec.outShape();
        Tensor out = empty(x.backend(), keepDim ? kept : dropAxes(shape, ax));
        if (x.numel() == 0) {
            if (out.numel() > 0) x.backend().fill(storage(out), 0f); // an empty sum is 0
        } else {
            try (Pin px = pin(name, x)) {
                if (ax.length == 0) x.backend().copy(px.storage(), storage(out));
                else x.backend().sum(spec, px.storage(), storage(out));
            }
        }
        long count = 1;
        for (int a : ax) count *= shape[a];
        float factor = mean ? 1f / count : 1f;
        if (mean) x.backend().scalar(ScalarOp.MUL, storage(out), factor, storage(out));
        if (Autograd.needsGrad(x)) {
            Autograd.record(name, out, new Tensor[] {x}, g -> new Tensor[] {Elementwise.expand(g, kept, shape, factor)});
        }
        return out;
    }

    private static int[] dropAxes(int[] shape, int[] axes) {
        int[] out = new int[shape.length - axes.length];
        int k = 0, j = 0;
        for (int i = 0; i < shape.length; i++) {
            if (j < axes.length && axes[j] == i) {
                j++;
            } else {
                out[k++] = shape[i];
            }
        }
        return out;
    }

    /** Row-wise argmax of {@code [N, C]} into INT32 {@code [N]}. */
    static Tensor argmax(Tensor x) {
        Checks.notNull("argmax", x, "input");
        Checks.floats("argmax", x);
        Checks.rank("argmax", x, 2, "input [N, C]");
        int rows = x.size(0), cols = x.size(1);
        if (cols == 0) {
            throw new IllegalArgumentException("argmax: cannot take the argmax of an empty row (shape " + Shape.str(x.shape()) + ")");
        }
        Tensor out = empty(x.backend(), DType.INT32, rows);
        if (rows > 0) {
            try (Pin px = pin("argmax", x)) {
                x.backend().argmax(rows, cols, px.storage(), storage(out));
            }
        }
        return out;
    }
}
