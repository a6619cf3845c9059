package dev.kiln.tensor;

/** Element types a tensor can hold. An enum so that half-precision types can join later. */
public enum DType {
    /** IEEE-754 binary32; the type of every differentiable tensor. */
    FLOAT32(4),
    /** Signed 32-bit integers: class labels and indices. */
    INT32(4),
    /** Signed 64-bit integers: PyTorch's index type ({@code torch.long}), as indices and argmax results. */
    INT64(8),
    /** Booleans, one byte each (0 or 1): masks from comparisons, as {@code torch.bool}. */
    BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** {@return whether this is an integer type (INT32 or INT64)} */
    public boolean isInteger() {
        return this == INT32 || this == INT64;
    }

    /** {@return bytes per element} */
    public int byteSize() {
        return byteSize;
    }
}
