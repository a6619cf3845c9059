package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.StridedCopySpec;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;

/**
 * narrow, select, squeeze, unsqueeze and expand, with PyTorch's semantics. Kiln has no strided
 * views, so narrow, select and expand are contiguous copies made by one device-local
 * {@link dev.kiln.spi.Backend#stridedCopy} (never through host memory); squeeze and unsqueeze only
 * change the shape, so they are reshapes (views). The gradient of narrow and select is a zeroed
 * tensor of the input's shape with the output gradient written into the slice (a strided write);
 * that of expand sums the gradient over the expanded dimensions.
 */
final class Slicing {
    private Slicing() {}

    static Tensor narrow(Tensor x, int dim, int start, int length) {
        Checks.notNull("narrow", x, "input");
        int[] shape = x.shape();
        if (shape.length == 0) throw new IllegalArgumentException("narrow: cannot be applied to a 0-dim tensor");
        int d = Shape.axis("narrow", dim, shape);
        int size = shape[d];
        if (start < -size || start > size) {
            throw new IllegalArgumentException("narrow: start out of range (expected to be in range of [" + -size + ", " + size
                    + "], but got " + start + ") for dimension " + d + " of shape " + Shape.str(shape));
        }
        int s = start < 0 ? start + size : start;
        if (length < 0) throw new IllegalArgumentException("narrow: length must be non-negative, got " + length);
        if ((long) s + length > size) {
            throw new IllegalArgumentException("narrow: start (" + s + ") + length (" + length + ") exceeds dimension size (" + size
                    + ") of dimension " + d + " of shape " + Shape.str(shape));
        }
        int[] outShape = shape.clone();
        outShape[d] = length;
        return slice("narrow", x, outShape, d, s, false);
    }

    static Tensor select(Tensor x, int dim, int index) {
        Checks.notNull("select", x, "input");
        int[] shape = x.shape();
        if (shape.length == 0) throw new IllegalArgumentException("select: cannot be applied to a 0-dim tensor");
        int d = Shape.axis("select", dim, shape);
        int size = shape[d];
        if (index < -size || index >= size) {
            throw new IllegalArgumentException("select: index " + index + " out of range for tensor of size " + Shape.str(shape)
                    + " at dimension " + d);
        }
        int i = index < 0 ? index + size : index;
        int[] outShape = shape.clone();
        outShape[d] = 1;
        return slice("select", x, outShape, d, i, true);
    }

    /**
     * The block of x starting at {@code start} along {@code d}, of {@code blockShape} (equal to
     * x's shape elsewhere); with {@code drop}, dimension d (then of size 1) is removed.
     */
    private static Tensor slice(String op, Tensor x, int[] blockShape, int d, int start, boolean drop) {
        int[] shape = x.shape();
        long[] strides = Shape.strides(shape);
        long offset = start * strides[d];
        int[] outShape = drop ? dropDim(blockShape, d) : blockShape;
        Tensor out = empty(x.backend(), x.dtype(), outShape);
        if (out.numel() > 0) {
            try (Pin px = pin(op, x)) {
                x.backend().stridedCopy(StridedCopySpec.gather(blockShape, offset, strides), px.storage(), storage(out));
            }
        }
        if (Autograd.needsGrad(x)) {
            Autograd.record(op, out, new Tensor[] {x}, g -> {
                Tensor gx = empty(x.backend(), shape);
                if (gx.numel() > 0) x.backend().fill(storage(gx), 0f);
                if (g.numel() > 0) {
                    try (Pin pg = pin(op, g)) {
                        x.backend().stridedCopy(StridedCopySpec.scatter(blockShape, offset, strides), pg.storage(), storage(gx));
                    }
                }
                return new Tensor[] {gx};
            });
        }
        return out;
    }

    static Tensor squeeze(Tensor x) {
        Checks.notNull("squeeze", x, "input");
        return x.reshape(Arrays.stream(x.shape()).filter(s -> s != 1).toArray());
    }

    static Tensor squeeze(Tensor x, int dim) {
        Checks.notNull("squeeze", x, "input");
        int[] shape = x.shape();
        if (shape.length == 0 && (dim == 0 || dim == -1)) return x.reshape();  // as PyTorch: a 0-dim tensor has dim 0/-1
        int d = Shape.axis("squeeze", dim, shape);
        return shape[d] == 1 ? x.reshape(dropDim(shape, d)) : x.reshape(shape);
    }

    static Tensor unsqueeze(Tensor x, int dim) {
        Checks.notNull("unsqueeze", x, "input");
        int[] shape = x.shape();
        int rank = shape.length + 1;
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new IllegalArgumentException("unsqueeze: dimension " + dim + " out of range for a tensor of shape " + Shape.str(shape)
                    + " (expected -" + rank + " to " + (rank - 1) + ")");
        }
        int[] out = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) out[i] = i == d ? 1 : shape[j++];
        return x.reshape(out);
    }

    static Tensor expand(Tensor x, int[] sizes) {
        Checks.notNull("expand", x, "input");
        if (sizes == null) throw new IllegalArgumentException("expand: sizes must not be null");
        int[] shape = x.shape();
        int rank = sizes.length, lead = rank - shape.length;
        if (lead < 0) {
            throw new IllegalArgumentException("expand: the number of sizes provided (" + rank + ") must be greater or equal to the number"
                    + " of dimensions in the tensor (" + shape.length + ")");
        }
        long[] inStrides = Shape.strides(shape);
        int[] out = new int[rank];
        long[] read = new long[rank];
        boolean[] summed = new boolean[rank];
        int nSummed = 0;
        for (int i = 0; i < rank; i++) {
            int want = sizes[i];
            if (i < lead) {
                if (want < 0) {
                    throw new IllegalArgumentException("expand: the expanded size of the tensor (" + want + ") isn't allowed in a leading,"
                            + " non-existing dimension " + i);
                }
                out[i] = want;
                summed[i] = true;
                nSummed++;
                continue;
            }
            int have = shape[i - lead];
            if (want == -1) want = have;
            if (want != have && have != 1 || want < 0) {
                throw new IllegalArgumentException("expand: the expanded size of the tensor (" + sizes[i] + ") must match the existing size ("
                        + have + ") at non-singleton dimension " + i + ".  Target sizes: " + Shape.str(sizes) + ".  Tensor sizes: "
                        + Shape.str(shape));
            }
            out[i] = want;
            read[i] = have == 1 ? 0 : inStrides[i - lead];
            if (have == 1 && want != 1) {
                summed[i] = true;
                nSummed++;
            }
        }
        Tensor result = empty(x.backend(), x.dtype(), out);
        if (result.numel() > 0) {
            try (Pin px = pin("expand", x)) {
                x.backend().stridedCopy(StridedCopySpec.gather(out, 0, read), px.storage(), storage(result));
            }
        }
        if (Autograd.needsGrad(x)) {
            int[] axes = new int[nSummed];
            for (int i = 0, k = 0; i < rank; i++) if (summed[i]) axes[k++] = i;
            Autograd.record("expand", result, new Tensor[] {x}, g -> new Tensor[] {
                (axes.length == 0 ? g : Functional.sum(g, true, axes)).reshape(shape)});
        }
        return result;
    }

    private static int[] dropDim(int[] shape, int d) {
        int[] out = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != d) out[j++] = shape[i];
        return out;
    }
}
