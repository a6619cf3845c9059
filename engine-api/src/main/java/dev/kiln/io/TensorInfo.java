package dev.kiln.io;

import dev.kiln.tensor.DType;
import java.util.Arrays;

/**
 * One tensor entry of a safetensors header.
 *
 * @param name   the tensor's key (e.g. {@code features.0.weight})
 * @param dtype  the safetensors dtype name ("F32", "I32", "F16", ...)
 * @param shape  dimensions (a copy is kept)
 * @param begin  start of its bytes, relative to the data section
 * @param end    end (exclusive) of its bytes, relative to the data section
 */
public record TensorInfo(String name, String dtype, int[] shape, long begin, long end) {
    /** Copies {@code shape}. */
    public TensorInfo {
        shape = shape.clone();
    }

    /** {@return the dimensions (a copy)} */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** {@return byte length of the data} */
    public long byteSize() {
        return end - begin;
    }

    /** {@return the Kiln dtype, or null when Kiln does not support this safetensors dtype (BF16 and F16 read as FLOAT32)} */
    public DType kilnDType() {
        return switch (dtype) {
            case "F32", "BF16", "F16" -> DType.FLOAT32;
            case "I32" -> DType.INT32;
            case "I64" -> DType.INT64;
            case "BOOL" -> DType.BOOL;
            default -> null;
        };
    }

    /** Bytes per element of a safetensors dtype name, or -1 for an unknown name. */
    static int elementSize(String dtype) {
        return switch (dtype) {
            case "BOOL", "U8", "I8", "F8_E4M3", "F8_E5M2" -> 1;
            case "U16", "I16", "F16", "BF16" -> 2;
            case "U32", "I32", "F32" -> 4;
            case "U64", "I64", "F64" -> 8;
            default -> -1;
        };
    }

    /** The safetensors name of a Kiln dtype. */
    static String nameOf(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "F32";
            case INT32 -> "I32";
            case INT64 -> "I64";
            case BOOL -> "BOOL";
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype.equals(t.dtype) && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }
}
