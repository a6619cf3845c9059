package dev.kiln.spi;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"), the
 * counter-based generator every backend uses so random masks are bit-identical across
 * devices and thread counts. Element {@code i} of a stream {@code (seed, offset)} uses counter
 * {@code (offset + i) / 4}, lane {@code (offset + i) % 4}; key = seed (low, high words).
 */
public final class Philox {
    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    private Philox() {}

    /**
     * Ten Philox rounds.
     *
     * @param c0   counter word 0 (least significant)
     * @param c1   counter word 1
     * @param c2   counter word 2
     * @param c3   counter word 3
     * @param seed the 64-bit key
     * @return four 32-bit outputs, to be read as unsigned
     */
    public static int[] block(int c0, int c1, int c2, int c3, long seed) {
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        for (int r = 0; r < 10; r++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
            k0 += W0; k1 += W1;
        }
        return new int[] {c0, c1, c2, c3};
    }

    /**
     * Uniform float in [0, 1) for element {@code index} of stream {@code seed}: the top 24 bits
     * of the element's lane, divided by 2^24 (so every value is exact in float).
     *
     * @param seed  the stream's key
     * @param index element index within the stream (offset already added)
     * @return a float in [0, 1)
     */
    public static float uniform(long seed, long index) {
        long ctr = index >>> 2;
        int[] out = block((int) ctr, (int) (ctr >>> 32), 0, 0, seed);
        return (out[(int) (index & 3)] >>> 8) * 0x1.0p-24f;
    }
}
