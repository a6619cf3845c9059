package dev.kiln.cpu.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The standard normal CDF {@code Phi} for exact GELU, in double precision at a small fraction of
 * {@link Erf}'s cost (its series takes dozens of divisions per element): with {@code e = exp(-v^2/2)},
 * {@code Phi(-|v|) = e/2 erfcx(|v|/sqrt 2)}, where the scaled complementary error function
 * {@code erfcx(z) = exp(z^2) erfc(z)} is smooth and slowly varying on {@code z >= 0}. It is
 * interpolated by cubic Hermite pieces on a grid of step 1/{@value #PER_UNIT} over [0, {@value #LIMIT}]
 * (each stored as its four polynomial coefficients) from values tabulated once with {@link Erf#erfcx} and the exact slope
 * {@code erfcx'(z) = 2 z erfcx(z) - 2/sqrt(pi)}; the relative error (about 1e-10) is far under
 * float32's rounding. GELU's derivative {@code Phi(v) + v pdf(v)} reuses the same exponential, which
 * comes from {@link RowOps#expNonPositive} a block at a time (vector lanes when SIMD is on).
 */
public final class NormalCdf {
    /** Unaligned access: an aligned layout costs an alignment check per element in these scalar loops. */
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final int PER_UNIT = 128;
    private static final int LIMIT = 27;
    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_PI = 0.5641895835477563;
    private static final double INV_SQRT_2PI = 0.3989422804014327;
    /** Per grid interval i, the cubic's coefficients in t (Horner order c0, c1, c2, c3) side by side: one cache line per lookup. */
    private static final double[] CUBIC = new double[4 * (LIMIT * PER_UNIT + 1)];

    static {
        double[] value = new double[LIMIT * PER_UNIT + 2], slope = new double[value.length];
        for (int i = 0; i < value.length; i++) {
            double z = (double) i / PER_UNIT;
            value[i] = Erf.erfcx(z);
            slope[i] = (2 * z * value[i] - 2 * INV_SQRT_PI) / PER_UNIT; // per grid step
        }
        // The cubic Hermite piece through (value, slope) at both ends, expanded in powers of t.
        for (int i = 0; i + 1 < value.length; i++) {
            double v0 = value[i], s0 = slope[i], v1 = value[i + 1], s1 = slope[i + 1];
            CUBIC[4 * i] = v0;
            CUBIC[4 * i + 1] = s0;
            CUBIC[4 * i + 2] = 3 * (v1 - v0) - 2 * s0 - s1;
            CUBIC[4 * i + 3] = 2 * (v0 - v1) + s0 + s1;
        }
    }

    private NormalCdf() {}

    /** erfcx(z) for {@code z >= 0} (NaN for NaN). */
    static double erfcx(double z) {
        if (z >= LIMIT) return INV_SQRT_PI / z * (1.0 - 0.5 / (z * z)); // exp(-z^2) underflows here anyway
        double u = z * PER_UNIT;
        int i = (int) u, c = 4 * i;
        double t = u - i;
        return ((CUBIC[c + 3] * t + CUBIC[c + 2]) * t + CUBIC[c + 1]) * t + CUBIC[c];
    }

    /**
     * {@return Phi(v) given {@code e = exp(-v^2/2)}}: {@code Phi(-|v|)} for a set sign bit, else
     * {@code 1 - Phi(-|v|)}, chosen by a bit mask rather than a branch, which random signs
     * mispredict half the time (a third of GELU's time). Both are equal at zero; NaN stays NaN.
     */
    static double phi(double v, double e) {
        double tail = 0.5 * e * erfcx(Math.abs(v) * INV_SQRT2); // Phi(-|v|)
        long negative = Double.doubleToRawLongBits(v) >> 63; // all ones when the sign bit is set
        return Double.longBitsToDouble(Double.doubleToRawLongBits(tail) & negative | Double.doubleToRawLongBits(1.0 - tail) & ~negative);
    }

    /** {@return the standard normal CDF at v} */
    public static double phi(double v) {
        return phi(v, ScalarRowOps.expNonPositive(-0.5 * v * v)); // the exponential NormalCdf.gelu takes, bit for bit
    }

    /** Exact GELU {@code out[i] = x[i] Phi(x[i])} for i in [start, end). */
    static void gelu(MemorySegment x, MemorySegment out, long start, long end) {
        Block b = BLOCK.get();
        for (long s = start; s < end; s += BLOCK_SIZE) {
            int n = (int) Math.min(BLOCK_SIZE, end - s);
            b.gaussians(x, s, n);
            for (int i = 0; i < n; i++) {
                double v = b.x[i];
                b.x[i] = (float) (v * phi(v, b.e[i]));
            }
            MemorySegment.copy(b.x, 0, out, F, s * Float.BYTES, n);
        }
    }

    /** Exact GELU's backward {@code gx[i] = gy[i] (Phi(x[i]) + x[i] pdf(x[i]))} for i in [start, end). */
    static void geluBackward(MemorySegment x, MemorySegment gy, MemorySegment gx, long start, long end) {
        Block b = BLOCK.get();
        for (long s = start; s < end; s += BLOCK_SIZE) {
            int n = (int) Math.min(BLOCK_SIZE, end - s);
            b.gaussians(x, s, n);
            MemorySegment.copy(gy, F, s * Float.BYTES, b.g, 0, n);
            for (int i = 0; i < n; i++) {
                double v = b.x[i], e = b.e[i];
                b.g[i] = (float) (b.g[i] * (phi(v, e) + v * INV_SQRT_2PI * e));
            }
            MemorySegment.copy(b.g, 0, gx, F, s * Float.BYTES, n);
        }
    }

    /** Elements per block: the exponentials of a block are one vector pass ({@link RowOps#expNonPositive}). */
    private static final int BLOCK_SIZE = 512;
    private static final ThreadLocal<Block> BLOCK = ThreadLocal.withInitial(Block::new);

    /** One thread's block of inputs, their {@code exp(-v^2/2)} and gradients. */
    private static final class Block {
        final float[] x = new float[BLOCK_SIZE], g = new float[BLOCK_SIZE];
        final double[] e = new double[BLOCK_SIZE];

        /** Reads x[s, s + n) and sets e[i] = exp(-x[i]^2 / 2). */
        void gaussians(MemorySegment src, long s, int n) {
            MemorySegment.copy(src, F, s * Float.BYTES, x, 0, n);
            for (int i = 0; i < n; i++) {
                double v = x[i];
                e[i] = -0.5 * v * v;
            }
            RowOps.get().expNonPositive(e, 0, n);
        }
    }
}
