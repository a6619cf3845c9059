package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.internal.Pin;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

/**
 * {@code to(dtype)} on the tensor's device ({@link Backend#cast}), PyTorch's type promotion for
 * ops that take two tensors of different dtypes, and on-device scalars: the helpers every op on
 * integer and boolean tensors needs.
 */
final class Casting {
    private Casting() {}

    /**
     * {@code x} converted to {@code dtype}, or {@code x} itself when it already has that dtype (as
     * PyTorch, which returns the tensor unchanged). Only the FLOAT32 identity carries a gradient;
     * every other result is a new tensor outside the graph (integers and booleans have none).
     */
    static Tensor to(Tensor x, DType dtype) {
        Checks.notNull("to", x, "input");
        if (dtype == null) throw new IllegalArgumentException("to: dtype must not be null");
        return convert("to", x, dtype);
    }

    /** {@code x} itself when it has {@code dtype}, else a converted copy the caller must close. Unrecorded. */
    static Tensor convert(String op, Tensor x, DType dtype) {
        if (x.dtype() == dtype) return x;
        Tensor out = empty(x.backend(), dtype, x.shape());
        if (out.numel() > 0) {
            try (Pin px = pin(op, x)) {
                x.backend().cast(px.storage(), storage(out));
            }
        }
        return out;
    }

    /** Closes {@code converted} when {@link #convert} made it, leaving the caller's own tensor alone. */
    static void closeIfConverted(Tensor converted, Tensor original) {
        if (converted != original) converted.close();
    }

    /**
     * The dtype two tensors are computed in, as PyTorch's {@code torch.result_type} for tensors of
     * different kinds: BOOL, then INT32, then INT64, then FLOAT32, the wider wins (an INT64 with a
     * FLOAT32 is computed in FLOAT32, as in PyTorch).
     */
    static DType promote(DType a, DType b) {
        return rank(a) >= rank(b) ? a : b;
    }

    private static int rank(DType d) {
        return switch (d) {
            case BOOL -> 0;
            case INT32 -> 1;
            case INT64 -> 2;
            case FLOAT32 -> 3;
        };
    }

    /**
     * The dtype in which a tensor of dtype {@code x} is compared with the scalar {@code s} exactly:
     * x's own dtype when s is one of its values, else the narrowest wider one that holds s (INT64
     * for an integral s), else FLOAT32 (as PyTorch, which compares an integer tensor with a
     * fractional scalar in floating point).
     */
    static DType forScalar(DType x, float s) {
        boolean integral = s == Math.rint(s) && !Float.isInfinite(s);  // false for NaN too
        boolean fitsInt = integral && s >= -0x1p31f && s < 0x1p31f;
        boolean fitsLong = integral && s >= -0x1p63f && s < 0x1p63f;
        return switch (x) {
            case FLOAT32 -> DType.FLOAT32;
            case INT32 -> fitsInt ? DType.INT32 : fitsLong ? DType.INT64 : DType.FLOAT32;
            case INT64 -> fitsLong ? DType.INT64 : DType.FLOAT32;
            case BOOL -> s == 0f || s == 1f ? DType.BOOL : fitsLong ? DType.INT64 : DType.FLOAT32;
        };
    }

    /** A 0-dim tensor of {@code dtype} holding {@code value} (converted as {@link Backend#fill} does), made on the device. */
    static Tensor scalar(Backend backend, DType dtype, float value) {
        Tensor s = empty(backend, dtype);
        backend.fill(storage(s), value);
        return s;
    }
}
