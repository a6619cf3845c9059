package dev.kiln.testing;

import java.util.SplittableRandom;

/**
 * Seeded random inputs, every value exactly representable in float32 (so a Kiln tensor and
 * the float64 reference see the same numbers). Variants keep inputs away from the points where
 * an op is not differentiable, so central differences are valid there.
 */
public final class Inputs {
    private final SplittableRandom random;

    /** A stream seeded with {@code seed}. */
    public Inputs(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Uniform in [lo, hi). */
    public Nd between(double lo, double hi, int... shape) {
        Nd a = Nd.zeros(shape);
        double[] d = a.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) (lo + (hi - lo) * random.nextDouble());
        return a;
    }

    /** Uniform in [-1, 1). */
    public Nd uniform(int... shape) {
        return between(-1, 1, shape);
    }

    /** Uniform magnitude in [min, max) with a random sign: away from 0 (ReLU's kink, division). */
    public Nd awayFromZero(double min, double max, int... shape) {
        Nd a = between(min, max, shape);
        double[] d = a.data();
        for (int i = 0; i < d.length; i++) if (random.nextBoolean()) d[i] = -d[i];
        return a;
    }

    /**
     * A random permutation of evenly spaced values in [-1, 1]: all distinct, at least
     * {@code 2/numel} apart, so a max never ties and stays put under a small perturbation.
     */
    public Nd distinct(int... shape) {
        Nd a = Nd.zeros(shape);
        double[] d = a.data();
        int n = d.length;
        for (int i = 0; i < n; i++) d[i] = (float) (-1 + (2.0 * i + 1) / n);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            double t = d[i];
            d[i] = d[j];
            d[j] = t;
        }
        return a;
    }

    /** Integers in [0, bound), e.g. class indices. */
    public int[] ints(int n, int bound) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = random.nextInt(bound);
        return v;
    }
}
