package dev.kiln.io;

/**
 * Conversions between float32 and the two 16-bit float formats of safetensors files: bfloat16
 * (float32's 8-bit exponent, 7 stored significand bits) and IEEE binary16 (5-bit exponent, 10
 * stored significand bits). Narrowing rounds to nearest, ties to even, as PyTorch's
 * {@code tensor.to(torch.bfloat16)} and {@code .half()} do: values beyond the largest finite
 * number become infinities, tiny values become subnormals or a signed zero. Widening is exact.
 *
 * <p>A NaN stays a NaN, quiet, with its sign: {@code 0x7FC0}/{@code 0xFFC0} in bfloat16,
 * {@code 0x7E00}/{@code 0xFE00} in binary16 (PyTorch's binary16 NaN; its vectorised CPU path
 * writes every bfloat16 NaN as {@code 0xFFFF}, another NaN).
 */
public final class HalfFloats {
    private HalfFloats() {}

    /**
     * {@return the bfloat16 bits nearest to {@code f} (ties to even)}
     *
     * @param f any float
     */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16 & 0x8000) | 0x7FC0);
        // Adding 0x7FFF plus the kept part's lowest bit and truncating rounds to nearest, ties to
        // even; a carry out of the significand bumps the exponent, up to infinity at the top.
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    /**
     * {@return the float of bfloat16 bits {@code h} (exact)}
     *
     * @param h bfloat16 bits (only the low 16 bits of the short are used)
     */
    public static float bf16ToFloat(short h) {
        return Float.intBitsToFloat((h & 0xFFFF) << 16);
    }

    /**
     * {@return the binary16 bits nearest to {@code f} (ties to even)}
     *
     * @param f any float
     */
    public static short floatToF16(float f) {
        if (Float.isNaN(f)) return (short) ((Float.floatToRawIntBits(f) >>> 16 & 0x8000) | 0x7E00);
        return Float.floatToFloat16(f); // IEEE 754 round to nearest even, overflow to infinity, subnormals
    }

    /**
     * {@return the float of binary16 bits {@code h} (exact)}
     *
     * @param h binary16 bits
     */
    public static float f16ToFloat(short h) {
        return Float.float16ToFloat(h);
    }
}
