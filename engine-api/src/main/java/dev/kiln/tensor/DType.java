package dev.kiln.tensor;

/** Element types a tensor can hold. An enum so that half-precision types can join later. */
public enum DType {
    /** IEEE-754 binary32; the type of every differentiable tensor. */
    FLOAT32(4),
    /** Signed 32-bit integers: class labels and indices. */
    INT32(4);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** {@return bytes per element} */
    public int byteSize() {
        return byteSize;
    }
}
