package dev.kiln.tensor;

import dev.kiln.spi.Philox;

/**
 * A seeded, counter-based random stream (Philox4x32-10): the same seed gives the same numbers
 * on every device and thread count. Not thread-safe; use one per thread or synchronise.
 */
public final class Generator {
    private final long seed;
    private long offset;

    /**
     * A stream at position 0 of {@code seed}.
     *
     * @param seed the Philox key; equal seeds give equal streams
     */
    public Generator(long seed) {
        this.seed = seed;
    }

    /** {@return the seed this stream started from} */
    public long seed() {
        return seed;
    }

    /** {@return next uniform float in [0, 1)} */
    public float nextFloat() {
        return Philox.uniform(seed, offset++);
    }

    /**
     * {@return uniform int in [0, bound), bound > 0 (unbiased, via rejection)}
     *
     * @param bound exclusive upper limit
     * @throws IllegalArgumentException if {@code bound} is not positive
     */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("nextInt: bound must be > 0, got " + bound);
        long limit = (1L << 32) - ((1L << 32) % bound);
        while (true) {
            long bits = nextBits();
            if (bits < limit) return (int) (bits % bound);
        }
    }

    /** {@return next 64 random bits, e.g. to seed a derived stream} */
    public long nextLong() {
        return (nextBits() << 32) | nextBits();
    }

    private long nextBits() {
        long ctr = offset >>> 2;
        int lane = (int) (offset & 3);
        offset++;
        return Philox.block((int) ctr, (int) (ctr >>> 32), 1, 0, seed)[lane] & 0xFFFFFFFFL;
    }

    /**
     * Reserves {@code n} stream positions and returns the first, for device-side generation (e.g. dropout).
     *
     * @param n positions to skip, at least 0
     * @return the offset of the first reserved position
     */
    public long advance(long n) {
        long start = offset;
        offset += n;
        return start;
    }

    /**
     * Fills {@code out} with uniform samples in [lo, hi).
     *
     * @param out the array to fill
     * @param lo inclusive lower limit
     * @param hi exclusive upper limit
     */
    public void fillUniform(float[] out, float lo, float hi) {
        for (int i = 0; i < out.length; i++) out[i] = (float) (lo + (double) (hi - lo) * nextFloat());
    }

    /**
     * Fills {@code out} with normal samples (Box-Muller in double precision).
     *
     * @param out the array to fill
     * @param mean the distribution's mean
     * @param std the distribution's standard deviation
     */
    public void fillNormal(float[] out, float mean, float std) {
        for (int i = 0; i < out.length; i += 2) {
            double u1 = 1.0 - nextFloat(); // (0, 1]: log is finite
            double u2 = nextFloat();
            double r = Math.sqrt(-2.0 * Math.log(u1));
            out[i] = (float) (mean + std * r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < out.length) out[i + 1] = (float) (mean + std * r * Math.sin(2 * Math.PI * u2));
        }
    }

    /**
     * Shuffles {@code a} in place (Fisher-Yates).
     *
     * @param a the array to permute
     */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
