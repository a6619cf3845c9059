package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.StridedCopySpec;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * cat, stack, split and chunk, with PyTorch's semantics. cat writes each input into its block of
 * a new contiguous tensor with one device-local {@link dev.kiln.spi.Backend#stridedCopy} per
 * input (never through host memory); its backward narrows the gradient back into pieces. stack
 * is cat of unsqueezed inputs; split and chunk are narrows, so their gradients flow through
 * narrow's.
 */
final class Joining {
    private Joining() {}

    static Tensor cat(int dim, Tensor[] ts) {
        if (ts == null || ts.length == 0) throw new IllegalArgumentException("cat: expected a non-empty list of tensors");
        for (int k = 0; k < ts.length; k++) {
            if (ts[k] == null) throw new IllegalArgumentException("cat: tensor number " + k + " in the list is null");
        }
        Checks.sameDevice("cat", ts);
        Tensor first = ts[0];
        int[] shape0 = first.shape();
        int rank = shape0.length;
        if (rank == 0) throw new IllegalArgumentException("cat: zero-dimensional tensor (at position 0) cannot be concatenated");
        int d = Shape.axis("cat", dim, shape0);
        int[] out = shape0.clone();
        out[d] = 0;
        for (int k = 0; k < ts.length; k++) {
            int[] s = ts[k].shape();
            if (ts[k].dtype() != first.dtype()) {
                throw new IllegalArgumentException("cat: expected every tensor of dtype " + first.dtype() + ", got " + ts[k].dtype()
                        + " for tensor number " + k + " in the list");
            }
            if (s.length != rank) {
                throw new IllegalArgumentException("cat: tensors must have same number of dimensions: got " + rank + " and " + s.length
                        + " (tensor number " + k + " in the list)");
            }
            for (int a = 0; a < rank; a++) {
                if (a != d && s[a] != shape0[a]) {
                    throw new IllegalArgumentException("cat: sizes of tensors must match except in dimension " + d + ". Expected size "
                            + shape0[a] + " but got size " + s[a] + " for tensor number " + k + " in the list.");
                }
            }
            out[d] += s[d];
            if (out[d] < 0) throw new IllegalArgumentException("cat: the result's dimension " + d + " exceeds " + Integer.MAX_VALUE);
        }
        Tensor result = empty(first.backend(), first.dtype(), out);
        long[] outStrides = Shape.strides(out);
        int[] starts = new int[ts.length];
        for (int k = 0, at = 0; k < ts.length; k++) {
            starts[k] = at;
            Tensor t = ts[k];
            if (t.numel() > 0) {
                try (Pin pt = pin("cat", t)) {
                    t.backend().stridedCopy(StridedCopySpec.scatter(t.shape(), at * outStrides[d], outStrides), pt.storage(), storage(result));
                }
            }
            at += t.shape()[d];
        }
        if (Autograd.needsGrad(ts)) {
            Autograd.record("cat", result, ts.clone(), g -> {
                Tensor[] grads = new Tensor[ts.length];
                for (int k = 0; k < ts.length; k++) {
                    if (ts[k].requiresGrad()) grads[k] = Functional.narrow(g, d, starts[k], ts[k].shape()[d]);
                }
                return grads;
            });
        }
        return result;
    }

    static Tensor stack(int dim, Tensor[] ts) {
        if (ts == null || ts.length == 0) throw new IllegalArgumentException("stack: expected a non-empty list of tensors");
        for (int k = 0; k < ts.length; k++) {
            if (ts[k] == null) throw new IllegalArgumentException("stack: tensor number " + k + " in the list is null");
        }
        int[] s0 = ts[0].shape();
        for (int k = 1; k < ts.length; k++) {
            if (!java.util.Arrays.equals(ts[k].shape(), s0)) {
                throw new IllegalArgumentException("stack: expects each tensor to be equal size, but got " + Shape.str(s0) + " at entry 0 and "
                        + Shape.str(ts[k].shape()) + " at entry " + k);
            }
        }
        int rank = s0.length + 1;
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new IllegalArgumentException("stack: dimension " + dim + " out of range for tensors of shape " + Shape.str(s0)
                    + " (expected -" + rank + " to " + (rank - 1) + ")");
        }
        Tensor[] us = new Tensor[ts.length];
        for (int k = 0; k < ts.length; k++) us[k] = Functional.unsqueeze(ts[k], d);
        return cat(d, us);
    }

    static Tensor[] split(Tensor x, int splitSize, int dim) {
        Checks.notNull("split", x, "input");
        int[] shape = x.shape();
        if (shape.length == 0) throw new IllegalArgumentException("split: cannot be applied to a 0-dim tensor");
        int d = Shape.axis("split", dim, shape);
        int size = shape[d];
        if (splitSize < 0) throw new IllegalArgumentException("split: expects split_size be non-negative, but got split_size=" + splitSize);
        if (splitSize == 0 && size != 0) {
            throw new IllegalArgumentException("split: split_size can only be 0 if dimension size is 0, but got dimension size of " + size);
        }
        if (size == 0) return new Tensor[] {Functional.narrow(x, d, 0, 0)};
        int n = (size + splitSize - 1) / splitSize;
        Tensor[] parts = new Tensor[n];
        for (int k = 0; k < n; k++) {
            int start = k * splitSize;
            parts[k] = Functional.narrow(x, d, start, Math.min(splitSize, size - start));
        }
        return parts;
    }

    static Tensor[] chunk(Tensor x, int chunks, int dim) {
        Checks.notNull("chunk", x, "input");
        if (chunks <= 0) throw new IllegalArgumentException("chunk: expects `chunks` to be greater than 0, got: " + chunks);
        int[] shape = x.shape();
        if (shape.length == 0) throw new IllegalArgumentException("chunk: cannot be applied to a 0-dim tensor");
        int d = Shape.axis("chunk", dim, shape);
        int size = shape[d];
        return split(x, (int) ((size + (long) chunks - 1) / chunks), d);
    }
}
