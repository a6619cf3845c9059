package dev.kiln.cpu.kernels;

/**
 * The error function in double precision (relative error near 1e-15), for exact GELU.
 * Small arguments use the all-positive series {@code erf(x) = 2/sqrt(pi) e^{-x^2} sum 2^n x^{2n+1}
 * / (1*3*...*(2n+1))}, which has no cancellation; large ones the continued fraction of erfc,
 * which converges fast there and keeps the tiny tail's relative accuracy.
 */
public final class Erf {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double INV_SQRT_PI = 0.5641895835477563;
    /** Where the continued fraction takes over from the series. */
    private static final double SWITCH = 2.5;
    private static final int FRACTION_DEPTH = 120;

    private Erf() {}

    /** erf(x). */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        double r = a < SWITCH ? series(a) : 1.0 - erfcFraction(a);
        return x < 0 ? -r : r;
    }

    /** erfc(x) = 1 - erf(x), accurate in relative terms for large positive x. */
    public static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x >= SWITCH) return erfcFraction(x);
        if (x <= -SWITCH) return 2.0 - erfcFraction(-x);
        return 1.0 - (x < 0 ? -series(-x) : series(x));
    }

    /** Standard normal CDF, {@code 0.5 * erfc(-x / sqrt 2)}: no cancellation for negative x. */
    public static double phi(double x) {
        return 0.5 * erfc(-x * 0.7071067811865476);
    }

    /**
     * The scaled complementary error function {@code erfcx(a) = e^{a^2} erfc(a)} for {@code a >= 0},
     * without the underflow of erfc: the continued fraction without its exponential beyond the switch.
     * Slow; {@link NormalCdf} tabulates it once.
     */
    static double erfcx(double a) {
        if (a < SWITCH) return (1.0 - series(a)) * Math.exp(a * a);
        double t = a;
        for (int n = FRACTION_DEPTH; n >= 1; n--) t = a + (n * 0.5) / t;
        return INV_SQRT_PI / t;
    }

    private static double series(double a) {
        double x2 = a * a;
        double term = a, sum = a;
        for (int n = 1; n < 200; n++) {
            term *= 2.0 * x2 / (2 * n + 1);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }

    /** erfc(a) for a >= SWITCH: e^{-a^2}/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))). */
    private static double erfcFraction(double a) {
        if (a > 27) return 0.0; // below the smallest double
        double t = a;
        for (int n = FRACTION_DEPTH; n >= 1; n--) t = a + (n * 0.5) / t;
        return INV_SQRT_PI * Math.exp(-a * a) / t;
    }
}
