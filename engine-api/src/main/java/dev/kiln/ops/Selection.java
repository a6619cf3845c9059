package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.GradMode;
import dev.kiln.internal.Pin;
import dev.kiln.spi.ArgReduceSpec;
import dev.kiln.spi.Backend;
import dev.kiln.spi.TopkSpec;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.ValuesAndIndices;

/**
 * max, min, argmax, argmin and topk along one dimension, the whole-tensor max and min, and
 * logsumexp, with PyTorch's semantics: INT64 indices, the first index among equal maxima, NaN
 * propagating through max and min. The input is viewed as {@code [outer, dim, inner]} around the
 * reduced dimension (contiguous, so no copy); the values' gradient is routed to the selected index
 * by {@link Backend#topkBackward}.
 */
final class Selection {
    private Selection() {}

    /** The reduced dimension d of {@code shape} seen as {@code [outer, shape[d], inner]}; a 0-D tensor is one element. */
    private record View(int[] shape, int d, int outer, int dim, int inner) {
        static View of(String op, Tensor x, int dimArg) {
            int[] shape = x.shape();
            if (shape.length == 0) {
                Shape.axis(op, dimArg, 1);  // as PyTorch: a 0-D tensor accepts dim 0 and -1
                return new View(shape, -1, 1, 1, 1);
            }
            int d = Shape.axis(op, dimArg, shape);
            long outer = 1, inner = 1;
            for (int i = 0; i < d; i++) outer *= shape[i];
            for (int i = d + 1; i < shape.length; i++) inner *= shape[i];
            return new View(shape, d, Math.toIntExact(outer), shape[d], Math.toIntExact(inner));
        }

        /** The shape with dimension d set to {@code size}, or removed when {@code drop}. */
        int[] outShape(int size, boolean drop) {
            if (d < 0) return new int[0];
            if (!drop) {
                int[] o = shape.clone();
                o[d] = size;
                return o;
            }
            int[] o = new int[shape.length - 1];
            for (int i = 0, j = 0; i < shape.length; i++) if (i != d) o[j++] = shape[i];
            return o;
        }
    }

    /** max or min along {@code dim}: values (differentiable) and INT64 indices. */
    static ValuesAndIndices maxMin(String op, Tensor x, int dim, boolean keepDim) {
        Checks.notNull(op, x, "input");
        Checks.floats(op, x);
        View v = View.of(op, x, dim);
        nonEmpty(op, v);
        int[] outShape = v.outShape(1, !keepDim);
        Backend backend = x.backend();
        Tensor values = empty(backend, outShape), indices = empty(backend, DType.INT64, outShape);
        if (values.numel() > 0) {
            try (Pin px = pin(op, x)) {
                backend.argReduce(new ArgReduceSpec(v.outer(), v.dim(), v.inner(), op.equals("max")), px.storage(), storage(values),
                        storage(indices));
            }
        }
        routeGradient(op, x, values, indices, new TopkSpec(v.outer(), v.dim(), v.inner(), 1, true, true));
        return new ValuesAndIndices(values, indices);
    }

    /** argmax or argmin along {@code dim}: INT64 indices, not differentiable. */
    static Tensor argMaxMin(String op, Tensor x, int dim, boolean keepDim) {
        Checks.notNull(op, x, "input");
        Checks.floats(op, x);
        View v = View.of(op, x, dim);
        nonEmpty(op, v);
        Tensor indices = empty(x.backend(), DType.INT64, v.outShape(1, !keepDim));
        if (indices.numel() > 0) {
            try (Pin px = pin(op, x)) {
                x.backend().argReduce(new ArgReduceSpec(v.outer(), v.dim(), v.inner(), op.equals("argmax")), px.storage(), null,
                        storage(indices));
            }
        }
        return indices;
    }

    /** The largest (or smallest) element of the whole tensor, a 0-D tensor; the gradient goes to its first index. */
    static Tensor maxMinAll(String op, Tensor x) {
        Checks.notNull(op, x, "input");
        Checks.floats(op, x);
        if (x.numel() == 0) {
            throw new IllegalArgumentException(op + ": Expected reduction dim to be specified for input.numel() == 0 (shape "
                    + Shape.str(x.shape()) + "). Specify the reduction dim with the 'dim' argument.");
        }
        // The indices stay open (in the caller's scope): the values' backward reads them.
        return maxMin(op, x.reshape(Math.toIntExact(x.numel())), 0, false).values();
    }

    /** topk along {@code dim}: values (differentiable) and INT64 indices, {@code dim} of size k. */
    static ValuesAndIndices topk(Tensor x, int k, int dim, boolean largest, boolean sorted) {
        Checks.notNull("topk", x, "input");
        Checks.floats("topk", x);
        View v = View.of("topk", x, dim);
        if (k < 0 || k > v.dim()) {
            throw new IllegalArgumentException("topk: selected index k out of range: k=" + k + " for dimension " + Math.max(v.d(), 0)
                    + " of size " + v.dim() + " (shape " + Shape.str(v.shape()) + ")");
        }
        int[] outShape = v.outShape(k, false);
        Backend backend = x.backend();
        Tensor values = empty(backend, outShape), indices = empty(backend, DType.INT64, outShape);
        TopkSpec spec = new TopkSpec(v.outer(), v.dim(), v.inner(), k, largest, sorted);
        if (values.numel() > 0) {
            try (Pin px = pin("topk", x)) {
                backend.topk(spec, px.storage(), storage(values), storage(indices));
            }
        }
        routeGradient("topk", x, values, indices, spec);
        return new ValuesAndIndices(values, indices);
    }

    /**
     * {@code log(sum(exp(x), dim))} computed as {@code m + log(sum(exp(x - m)))} with m the maximum
     * along dim, held constant (the gradient through the composite is then exactly the softmax).
     * An infinite m is clamped to the largest finite float, so a line of -inf gives -inf and a
     * line holding +inf gives +inf, as PyTorch, instead of NaN from {@code inf - inf}.
     */
    static Tensor logsumexp(Tensor x, int dim, boolean keepDim) {
        Checks.notNull("logsumexp", x, "input");
        Checks.floats("logsumexp", x);
        View v = View.of("logsumexp", x, dim);
        int d = Math.max(v.d(), 0);
        Tensor xv = v.d() < 0 ? x.reshape(1) : x;
        Tensor shift;
        try (GradMode.Restore noGrad = GradMode.disable()) {
            if (v.dim() == 0) {
                shift = Tensor.full(x.backend(), 0f, v.outShape(1, false));  // an empty sum: log(0) = -inf, as PyTorch
            } else {
                ValuesAndIndices m = maxMin("max", xv, d, true);
                m.indices().close();
                shift = Functional.clamp(m.values(), -Float.MAX_VALUE, Float.MAX_VALUE);
                m.values().close();
            }
        }
        Tensor sum = Functional.sum(Functional.exp(xv.sub(shift)), true, d);
        Tensor out = Functional.log(sum).add(shift);
        int[] outShape = v.outShape(1, !keepDim);
        return java.util.Arrays.equals(out.shape(), outShape) ? out : out.reshape(outShape);
    }

    private static void nonEmpty(String op, View v) {
        if (v.dim() == 0) {
            throw new IllegalArgumentException(op + ": Expected reduction dim " + v.d() + " to have non-zero size (shape "
                    + Shape.str(v.shape()) + ")");
        }
    }

    /** Records the values' backward: the gradient goes to the selected positions, zero elsewhere. */
    private static void routeGradient(String op, Tensor x, Tensor values, Tensor indices, TopkSpec spec) {
        if (!Autograd.needsGrad(x)) return;
        int[] shape = x.shape();
        Backend backend = x.backend();
        Autograd.record(op, values, new Tensor[] {x}, g -> {
            Tensor gx = empty(backend, shape);
            if (gx.numel() > 0) {
                if (g.numel() == 0) {
                    backend.fill(storage(gx), 0f);
                } else {
                    try (Pin pg = pin(op, g); Pin pi = pin(op, indices)) {
                        backend.topkBackward(spec, pg.storage(), pi.storage(), storage(gx));
                    }
                }
            }
            return new Tensor[] {gx};
        });
    }
}
