package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.TriangleSpec;
import dev.kiln.spi.WhereSpec;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * {@code where}, {@code maskedFill}, {@code tril} and {@code triu} with PyTorch's semantics, each
 * one device-local SPI call ({@link dev.kiln.spi.Backend#where}, {@link dev.kiln.spi.Backend#triangle}).
 * The gradient of where sends the output gradient to {@code a} where the condition holds and to
 * {@code b} elsewhere, each summed over the dimensions it was broadcast along; maskedFill's is
 * zero where filled; tril/triu's keeps the same triangle of the gradient.
 */
final class Masking {
    private Masking() {}

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        Checks.notNull("where", new Tensor[] {cond, a, b}, "condition", "input", "other");
        Checks.sameDevice("where", cond, a, b);
        requireBool("where", "condition", cond);
        DType type = Casting.promote(a.dtype(), b.dtype());
        Tensor ca = Casting.convert("where", a, type), cb = Casting.convert("where", b, type);
        Tensor out;
        try {
            out = rawWhere("where", cond, ca, cb);
        } finally {
            Casting.closeIfConverted(ca, a);
            Casting.closeIfConverted(cb, b);
        }
        if (Autograd.needsGrad(a, b)) {  // only FLOAT32 tensors require grad, so neither was converted
            boolean ga = a.requiresGrad(), gb = b.requiresGrad();
            int[] aShape = a.shape(), bShape = b.shape();
            Autograd.record("where", out, new Tensor[] {cond, a, b}, g -> new Tensor[] {
                null, ga ? routed(cond, g, true, aShape) : null, gb ? routed(cond, g, false, bShape) : null});
        }
        return out;
    }

    static Tensor maskedFill(Tensor x, Tensor mask, float value) {
        Checks.notNull("masked_fill", new Tensor[] {x, mask}, "input", "mask");
        Checks.sameDevice("masked_fill", x, mask);
        requireBool("masked_fill", "mask", mask);
        Tensor fill = Casting.scalar(x.backend(), x.dtype(), value);
        Tensor out;
        try {
            out = rawWhere("masked_fill", mask, fill, x);
        } finally {
            fill.close();
        }
        if (Autograd.needsGrad(x)) {
            int[] shape = x.shape();
            Autograd.record("masked_fill", out, new Tensor[] {x, mask}, g -> new Tensor[] {routed(mask, g, false, shape), null});
        }
        return out;
    }

    /** {@code cond ? a : b} broadcast over all three, unrecorded; a and b have one dtype. */
    static Tensor rawWhere(String op, Tensor cond, Tensor a, Tensor b) {
        WhereSpec spec = WhereSpec.of(op, cond.shape(), a.shape(), b.shape());
        Tensor out = empty(a.backend(), a.dtype(), spec.outShape());
        if (out.numel() == 0) return out;
        try (Pin pc = pin(op, cond); Pin pa = pin(op, a); Pin pb = pin(op, b)) {
            a.backend().where(spec, pc.storage(), pa.storage(), pb.storage(), storage(out));
        }
        return out;
    }

    /** The part of {@code g} where {@code cond} equals {@code kept} (zero elsewhere), summed to {@code shape}. */
    private static Tensor routed(Tensor cond, Tensor g, boolean kept, int[] shape) {
        Tensor zero = Casting.scalar(g.backend(), DType.FLOAT32, 0f);
        Tensor part = kept ? rawWhere("where", cond, g, zero) : rawWhere("where", cond, zero, g);
        zero.close();
        Tensor reduced = Elementwise.sumTo(part, shape);
        if (reduced != part) part.close();
        return reduced;
    }

    static Tensor triangle(Tensor x, int diagonal, boolean upper) {
        String op = upper ? "triu" : "tril";
        Checks.notNull(op, x, "input");
        int[] shape = x.shape();
        if (shape.length < 2) {
            throw new IllegalArgumentException(op + ": expected a tensor with at least 2 dimensions, got shape " + Shape.str(shape));
        }
        int rows = shape[shape.length - 2], cols = shape[shape.length - 1];
        long batch = 1;
        for (int d = 0; d < shape.length - 2; d++) batch *= shape[d];
        TriangleSpec spec = new TriangleSpec(batch, rows, cols, diagonal, upper);
        Tensor out = rawTriangle(op, spec, x);
        if (Autograd.needsGrad(x)) {
            Autograd.record(op, out, new Tensor[] {x}, g -> new Tensor[] {rawTriangle(op, spec, g)});
        }
        return out;
    }

    private static Tensor rawTriangle(String op, TriangleSpec spec, Tensor x) {
        Tensor out = empty(x.backend(), x.dtype(), x.shape());
        if (out.numel() == 0) return out;
        try (Pin px = pin(op, x)) {
            x.backend().triangle(spec, px.storage(), storage(out));
        }
        return out;
    }

    private static void requireBool(String op, String what, Tensor t) {
        if (t.dtype() != DType.BOOL) {
            throw new IllegalArgumentException(op + ": expected " + what + " to be a BOOL tensor, got " + t.dtype()
                    + " (shape " + Shape.str(t.shape()) + ")");
        }
    }
}
