package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.Backend;
import dev.kiln.spi.IndexSpec;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * indexSelect, gather, scatterAdd, oneHot and embedding, with PyTorch's semantics, on two backend
 * primitives: {@link Backend#indexGather} and its adjoint {@link Backend#indexScatterAdd} over an
 * {@code [outer, size, inner]} view ({@link IndexSpec}), plus {@link Backend#oneHot}. Index tensors
 * may be INT32 or INT64 (PyTorch's gather and one_hot insist on int64; Kiln's labels are INT32).
 * Indices are checked by the backend, which alone can read them without a host copy: eagerly on the
 * CPU, at the next synchronisation on CUDA.
 *
 * <p>Gradients: indexSelect and gather scatter-add the output gradient into zeros of the input's
 * shape (duplicate indices accumulate); scatterAdd passes the gradient to {@code self} and gathers it
 * for {@code src}; embedding scatter-adds into the weight's rows, skipping the padding row.
 */
final class Indexing {
    private Indexing() {}

    static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        String op = "indexSelect";
        Checks.notNull(op, new Tensor[] {x, index}, "input", "index");
        indexDType(op, index, "index");
        Checks.sameDevice(op, x, index);
        if (index.rank() > 1) {
            throw new IllegalArgumentException(op + ": index is supposed to be a vector, got shape " + Shape.str(index.shape()));
        }
        int[] shape = x.shape();
        int count = Math.toIntExact(index.numel());
        if (shape.length == 0) {  // as PyTorch: a 0-dim tensor has dimension 0 (or -1) of size 1
            scalarDim(op, dim);
            if (count != 1) throw new IllegalArgumentException(op + ": index to scalar can have only 1 value, got " + count + " value(s)");
            return gatherCore(new IndexSpec(op, 0, 1, 1, 1, 1, true, -1), x, index, new int[0]);
        }
        int d = Shape.axis(op, dim, shape);
        int[] out = shape.clone();
        out[d] = count;
        return gatherCore(view(op, d, shape, count, true, -1), x, index, out);
    }

    static Tensor gather(Tensor x, int dim, Tensor index) {
        String op = "gather";
        Checks.notNull(op, new Tensor[] {x, index}, "input", "index");
        indexDType(op, index, "index");
        Checks.sameDevice(op, x, index);
        int[] xs = x.shape(), is = index.shape();
        if (is.length != xs.length) {
            throw new IllegalArgumentException(op + ": index tensor must have the same number of dimensions as input tensor (index "
                    + Shape.str(is) + ", input " + Shape.str(xs) + ")");
        }
        if (xs.length == 0) {
            scalarDim(op, dim);
            return gatherCore(new IndexSpec(op, 0, 1, 1, 1, 1, false, -1), x, index, new int[0]);
        }
        int d = Shape.axis(op, dim, xs);
        for (int a = 0; a < xs.length; a++) {
            if (a != d && is[a] > xs[a]) {
                throw new IllegalArgumentException(op + ": size does not match at dimension " + a + " expected index " + Shape.str(is)
                        + " to be smaller than self " + Shape.str(xs) + " apart from dimension " + d);
            }
        }
        List<Tensor> temps = new ArrayList<>();
        Tensor src = narrowTo(x, is, d, temps);
        Tensor out = gatherCore(view(op, d, src.shape(), is[d], false, -1), src, index, is);
        release(temps, out);
        return out;
    }

    static Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src) {
        String op = "scatterAdd";
        Checks.notNull(op, new Tensor[] {self, index, src}, "self", "index", "src");
        indexDType(op, index, "index");
        Checks.floats(op, self, src);
        Checks.sameDevice(op, self, index, src);
        int[] ss = self.shape(), is = index.shape(), rs = src.shape();
        if (is.length != ss.length || rs.length != ss.length) {
            throw new IllegalArgumentException(op + ": index tensor must have the same number of dimensions as self and src tensors (index "
                    + Shape.str(is) + ", self " + Shape.str(ss) + ", src " + Shape.str(rs) + ")");
        }
        if (ss.length == 0) {
            scalarDim(op, dim);
            return scatterAddCore(new IndexSpec(op, 0, 1, 1, 1, 1, false, -1), self, index, src);
        }
        int d = Shape.axis(op, dim, ss);
        boolean fullColumns = true;
        for (int a = 0; a < ss.length; a++) {
            if (a != d && is[a] > ss[a] || is[a] > rs[a]) {
                throw new IllegalArgumentException(op + ": expected index " + Shape.str(is) + " to be smaller than self " + Shape.str(ss)
                        + " apart from dimension " + d + " and to be smaller size than src " + Shape.str(rs));
            }
            fullColumns &= a == d || is[a] == ss[a];
        }
        List<Tensor> temps = new ArrayList<>();
        Tensor s = narrowTo(src, is, -1, temps);
        Tensor out;
        if (fullColumns) {
            out = scatterAddCore(view(op, d, ss, is[d], false, -1), self, index, s);
        } else {
            // The index covers a corner of self: scatter into zeros of that corner, pad them with
            // zeros to self's shape (cat, so gradients flow back), and add.
            int[] corner = is.clone();
            corner[d] = ss[d];
            Tensor base = zeros(self.backend(), corner);
            Tensor block = scatterAddCore(view(op, d, corner, is[d], false, -1), base, index, s);
            temps.add(base);
            temps.add(block);
            for (int a = 0; a < ss.length; a++) {
                if (a == d || corner[a] == ss[a]) continue;
                int[] rest = block.shape();
                rest[a] = ss[a] - corner[a];
                Tensor pad = zeros(self.backend(), rest);
                block = Functional.cat(a, block, pad);
                temps.add(pad);
                temps.add(block);
            }
            out = Functional.add(self, block);
        }
        release(temps, out);
        return out;
    }

    static Tensor oneHot(Tensor x, int numClasses) {
        String op = "oneHot";
        Checks.notNull(op, x, "input");
        if (!x.dtype().isInteger()) {
            throw new IllegalArgumentException(op + ": is only applicable to index tensors (INT32 or INT64), got " + x.dtype());
        }
        if (numClasses < -1) {
            throw new IllegalArgumentException(op + ": num_classes must be -1 (inferred) or non-negative, got " + numClasses);
        }
        Backend b = x.backend();
        int classes = numClasses;
        if (classes == -1) {
            if (x.numel() == 0) throw new IllegalArgumentException(op + ": can not infer total number of classes from empty tensor");
            long[] range;
            try (Pin px = pin(op, x)) {
                range = b.indexRange(px.storage());
            }
            if (range[0] < 0) throw IndexSpec.classOutOfRange(range[0], range[1] + 1);
            if (range[1] >= Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": inferred num_classes " + range[1] + " + 1 exceeds " + Integer.MAX_VALUE);
            }
            classes = (int) range[1] + 1;
        }
        int[] shape = x.shape();
        int[] outShape = java.util.Arrays.copyOf(shape, shape.length + 1);
        outShape[shape.length] = classes;
        Tensor out = empty(b, DType.INT64, outShape);
        if (x.numel() > 0) {
            try (Pin px = pin(op, x)) {
                b.oneHot(classes, px.storage(), storage(out));
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
        }
        return out;
    }

    static Tensor embedding(Tensor input, Tensor weight, int paddingIdx, boolean padded) {
        String op = "embedding";
        Checks.notNull(op, new Tensor[] {input, weight}, "input", "weight");
        indexDType(op, input, "indices");
        Checks.floats(op, weight);
        Checks.sameDevice(op, input, weight);
        int[] ws = weight.shape();
        if (ws.length != 2) throw new IllegalArgumentException(op + ": 'weight' must be 2-D, got shape " + Shape.str(ws));
        int num = ws[0];
        long skip = -1;
        if (padded) {
            if (paddingIdx < -num || paddingIdx >= num) {
                throw new IllegalArgumentException(op + ": padding_idx must be within num_embeddings (" + num + "), got " + paddingIdx);
            }
            skip = paddingIdx < 0 ? paddingIdx + num : paddingIdx;
        }
        int[] is = input.shape();
        int[] out = java.util.Arrays.copyOf(is, is.length + 1);
        out[is.length] = ws[1];
        int count = Math.toIntExact(input.numel());
        return gatherCore(new IndexSpec(op, 0, 1, num, count, ws[1], true, skip), weight, input, out);
    }

    // ---- the two primitives with their gradients ----

    /** {@code out} (of {@code outShape}, {@code spec.otherNumel()} elements) gathered from x; backward scatter-adds into zeros. */
    private static Tensor gatherCore(IndexSpec spec, Tensor x, Tensor index, int[] outShape) {
        Backend b = x.backend();
        Tensor out = empty(b, x.dtype(), outShape);
        if (out.numel() > 0) {
            try (Pin px = pin(spec.op(), x); Pin pi = pin(spec.op(), index)) {
                b.indexGather(spec, px.storage(), pi.storage(), storage(out));
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
        }
        if (Autograd.needsGrad(x)) {
            int[] xShape = x.shape();
            Autograd.record(spec.op(), out, new Tensor[] {x, index},
                    g -> new Tensor[] {scatterAddInto(spec, zeros(b, xShape), g, index), null});
        }
        return out;
    }

    /** A copy of {@code self} with {@code src} scatter-added; backward passes the gradient to self and gathers it for src. */
    private static Tensor scatterAddCore(IndexSpec spec, Tensor self, Tensor index, Tensor src) {
        Backend b = self.backend();
        Tensor out = empty(b, self.shape());
        try (Pin ps = pin(spec.op(), self)) {
            b.copy(ps.storage(), storage(out));
        }
        scatterAddInto(spec, out, src, index);
        if (Autograd.needsGrad(self, src)) {
            int[] srcShape = src.shape();
            Autograd.record(spec.op(), out, new Tensor[] {self, index, src},
                    g -> new Tensor[] {g, null, src.requiresGrad() ? gatherCore(spec, g, index, srcShape) : null});
        }
        return out;
    }

    /** Adds {@code src} into {@code base} (a tensor the caller just made) at the index; closes base if the backend throws. */
    private static Tensor scatterAddInto(IndexSpec spec, Tensor base, Tensor src, Tensor index) {
        if (spec.otherNumel() == 0) return base;
        try (Pin ps = pin(spec.op(), src); Pin pi = pin(spec.op(), index)) {
            base.backend().indexScatterAdd(spec, ps.storage(), pi.storage(), storage(base));
        } catch (RuntimeException e) {
            base.close();
            throw e;
        }
        return base;
    }

    // ---- helpers ----

    /** The {@code [outer, size, inner]} view of {@code shape} around dimension {@code d}, paired with {@code count} entries. */
    private static IndexSpec view(String op, int d, int[] shape, int count, boolean shared, long skip) {
        long outer = 1, inner = 1;
        for (int a = 0; a < d; a++) outer *= shape[a];
        for (int a = d + 1; a < shape.length; a++) inner *= shape[a];
        return new IndexSpec(op, d, Math.toIntExact(outer), shape[d], count, Math.toIntExact(inner), shared, skip);
    }

    /** {@code x} narrowed to {@code target}'s sizes in every dimension but {@code keep}; the narrowed copies are added to temps. */
    private static Tensor narrowTo(Tensor x, int[] target, int keep, List<Tensor> temps) {
        Tensor t = x;
        int[] shape = x.shape();
        for (int a = 0; a < shape.length; a++) {
            if (a != keep && target[a] < shape[a]) {
                t = Functional.narrow(t, a, 0, target[a]);
                temps.add(t);
            }
        }
        return t;
    }

    /** Closes the intermediates when no graph holds them (with a graph they are its inputs, freed with it). */
    private static void release(List<Tensor> temps, Tensor out) {
        if (out.gradFn() != null) return;
        for (Tensor t : temps) if (t != out) t.close();
    }

    private static Tensor zeros(Backend b, int[] shape) {
        Tensor z = empty(b, shape);
        if (z.numel() > 0) b.fill(storage(z), 0f);
        return z;
    }

    private static void indexDType(String op, Tensor t, String what) {
        if (!t.dtype().isInteger()) {
            throw new IllegalArgumentException(op + ": expected " + what + " of dtype INT32 or INT64, got " + t.dtype()
                    + " (shape " + Shape.str(t.shape()) + ")");
        }
    }

    private static void scalarDim(String op, int dim) {
        if (dim != 0 && dim != -1) {
            throw new IllegalArgumentException(op + ": dimension " + dim + " out of range for a tensor of shape [] (expected -1 to 0)");
        }
    }
}
