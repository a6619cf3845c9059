package dev.kiln.ops;

import dev.kiln.autograd.Autograd;
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
        Tensor out = Tensor.empty(x.backend(), keepDim ? kept : dropAxes(shape, ax));
        if (x.numel() == 0) {
            if (out.numel() > 0) x.backend().fill(out.storage(), 0f); // an empty sum is 0
        } else if (ax.length == 0) {
            x.backend().copy(x.storage(), out.storage());
        } else {
            x.backend().sum(spec, x.storage(), out.storage());
        }
        long count = 1;
        for (int a : ax) count *= shape[a];
        float factor = mean ? 1f / count : 1f;
        if (mean) x.backend().scalar(ScalarOp.MUL, out.storage(), factor, out.storage());
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
        Tensor out = Tensor.empty(x.backend(), DType.INT32, rows);
        if (rows > 0) x.backend().argmax(rows, cols, x.storage(), out.storage());
        return out;
    }
}
