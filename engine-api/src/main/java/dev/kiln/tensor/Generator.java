package dev.kiln.tensor;

import dev.kiln.spi.Philox;

/**
 * A seeded, counter-based random stream (Philox4x32-10): the same seed gives the same numbers
 * on every device and thread count. Not thread-safe; use one per thread or synchronise.
 */
public final class Generator {
    private final long seed;
    private long offset;

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

    /** {@return uniform int in [0, bound), bound > 0 (unbiased, via rejection)} */
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

    /** Reserves {@code n} stream positions and returns the first, for device-side generation (e.g. dropout). */
    public long advance(long n) {
        long start = offset;
        offset += n;
        return start;
    }

    /** Fills {@code out} with uniform samples in [lo, hi). */
    public void fillUniform(float[] out, float lo, float hi) {
        for (int i = 0; i < out.length; i++) out[i] = (float) (lo + (double) (hi - lo) * nextFloat());
    }

    /** Fills {@code out} with normal samples (Box-Muller in double precision). */
    public void fillNormal(float[] out, float mean, float std) {
        for (int i = 0; i < out.length; i += 2) {
            double u1 = 1.0 - nextFloat(); // (0, 1]: log is finite
            double u2 = nextFloat();
            double r = Math.sqrt(-2.0 * Math.log(u1));
            out[i] = (float) (mean + std * r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < out.length) out[i + 1] = (float) (mean + std * r * Math.sin(2 * Math.PI * u2));
        }
    }

    /** Shuffles {@code a} in place (Fisher-Yates). */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
