package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.internal.Pin;
import dev.kiln.spi.Broadcast;
import dev.kiln.spi.CompareOp;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

/**
 * Comparisons ({@code eq ne lt le gt ge}) giving BOOL masks, and the logical ops on them, with
 * PyTorch's semantics: broadcasting, any dtypes (the operands are compared in their promoted
 * dtype, so integers compare exactly), and no gradient. A scalar operand becomes a 0-dim tensor
 * filled on the device. The logical ops are built on the same primitives: {@code logicalNot} is
 * {@code x == 0}, {@code logicalAnd}/{@code logicalOr} are {@link dev.kiln.spi.Backend#where}
 * selections between boolean operands.
 */
final class Comparisons {
    private Comparisons() {}

    static String name(CompareOp op) {
        return switch (op) {
            case EQ -> "eq";
            case NE -> "ne";
            case LT -> "lt";
            case LE -> "le";
            case GT -> "gt";
            case GE -> "ge";
        };
    }

    /** {@code a (op) b} with broadcasting, in the promoted dtype of a and b. */
    static Tensor compare(CompareOp op, Tensor a, Tensor b) {
        String name = name(op);
        Checks.notNull(name, new Tensor[] {a, b}, "input", "other");
        Checks.sameDevice(name, a, b);
        return raw(name, op, a, b);
    }

    /** {@code x (op) s}, compared exactly (see {@link Casting#forScalar}). */
    static Tensor compare(CompareOp op, Tensor x, float s) {
        String name = name(op);
        Checks.notNull(name, x, "input");
        Tensor scalar = Casting.scalar(x.backend(), Casting.forScalar(x.dtype(), s), s);
        try {
            return raw(name, op, x, scalar);
        } finally {
            scalar.close();
        }
    }

    private static Tensor raw(String name, CompareOp op, Tensor a, Tensor b) {
        Broadcast spec = Broadcast.of(name, a.shape(), b.shape());
        DType type = Casting.promote(a.dtype(), b.dtype());
        Tensor out = empty(a.backend(), DType.BOOL, spec.outShape());
        if (out.numel() == 0) return out;
        Tensor ca = Casting.convert(name, a, type), cb = Casting.convert(name, b, type);
        try (Pin pa = pin(name, ca); Pin pb = pin(name, cb)) {
            a.backend().compare(op, spec, pa.storage(), pb.storage(), storage(out));
        } finally {
            Casting.closeIfConverted(ca, a);
            Casting.closeIfConverted(cb, b);
        }
        return out;
    }

    /** {@code x == 0} as a BOOL mask: PyTorch's {@code logical_not} for any dtype (NaN is true, so its negation is false). */
    static Tensor logicalNot(Tensor x) {
        Checks.notNull("logical_not", x, "input");
        Tensor zero = Casting.scalar(x.backend(), x.dtype(), 0f);
        try {
            return raw("logical_not", CompareOp.EQ, x, zero);
        } finally {
            zero.close();
        }
    }

    /** {@code a && b} (or {@code a || b}), each operand read as {@code != 0}, broadcasting. */
    static Tensor logical(boolean and, Tensor a, Tensor b) {
        String name = and ? "logical_and" : "logical_or";
        Checks.notNull(name, new Tensor[] {a, b}, "input", "other");
        Checks.sameDevice(name, a, b);
        Tensor ba = Casting.convert(name, a, DType.BOOL), bb = Casting.convert(name, b, DType.BOOL);
        Tensor constant = Casting.scalar(a.backend(), DType.BOOL, and ? 0f : 1f);
        try {
            // and: a ? b : false; or: a ? true : b.
            return and ? Masking.rawWhere(name, ba, bb, constant) : Masking.rawWhere(name, ba, constant, bb);
        } finally {
            constant.close();
            Casting.closeIfConverted(ba, a);
            Casting.closeIfConverted(bb, b);
        }
    }
}
