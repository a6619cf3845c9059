package dev.kiln.io;

/**
 * How a file stores FLOAT32 tensors: as they are, or narrowed to a 16-bit format to halve the
 * file (computation stays in FLOAT32; reading converts back to FLOAT32 exactly).
 */
public enum FloatStorage {
    /** float32, exact (safetensors dtype {@code F32}); the default. */
    F32("F32"),
    /** bfloat16 (safetensors {@code BF16}): float32's range, 8 significant bits; rounded to nearest even. */
    BF16("BF16"),
    /** IEEE binary16 (safetensors {@code F16}): 11 significant bits, largest finite 65504; rounded to nearest even. */
    F16("F16");

    private final String safetensorsName;

    FloatStorage(String safetensorsName) {
        this.safetensorsName = safetensorsName;
    }

    /** {@return the dtype name in a safetensors header} */
    public String safetensorsName() {
        return safetensorsName;
    }
}
