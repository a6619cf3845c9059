package dev.kiln.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.spi.PadSpec;
import dev.kiln.spi.Philox;
import dev.kiln.spi.Pool2dSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The index arithmetic of the kernels that cannot run here, transcribed line by line from the
 * {@code .cu} sources into Java (each emulation names its kernel) and checked against brute-force
 * references written differently: which threads write which elements, which windows a gather
 * visits. The GPU run checks the values; this checks the loops.
 */
class KernelEmulationTest {

    // ---- random.cu ----

    /** Random123's published known-answer vectors for Philox4x32-10: the CPU reference is the real Philox. */
    @Test
    void philoxMatchesTheRandom123KnownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, Philox.block(0, 0, 0, 0, 0L));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, Philox.block(-1, -1, -1, -1, -1L));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                Philox.block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, (0x299f31d0L << 32) | 0xa4093822L));
    }

    /** random.cu kiln_philox: 32x32 -> 64 products split with __umulhi, key bumped after each round. */
    private static int[] cudaPhilox(int[] ctr, int k0, int k1) {
        int[] c = ctr.clone();
        final int m0 = 0xD2511F53, m1 = 0xCD9E8D57, w0 = 0x9E3779B9, w1 = 0xBB67AE85;
        for (int r = 0; r < 10; r++) {
            int lo0 = m0 * c[0], hi0 = umulhi(m0, c[0]);
            int lo1 = m1 * c[2], hi1 = umulhi(m1, c[2]);
            int n0 = hi1 ^ c[1] ^ k0, n1 = lo1, n2 = hi0 ^ c[3] ^ k1, n3 = lo0;
            c[0] = n0; c[1] = n1; c[2] = n2; c[3] = n3;
            k0 += w0;
            k1 += w1;
        }
        return c;
    }

    private static int umulhi(int a, int b) {
        return (int) (((a & 0xFFFFFFFFL) * (b & 0xFFFFFFFFL)) >>> 32);
    }

    @Test
    void cudaPhiloxRoundsEqualTheCpuReference() {
        Random rnd = new Random(5);
        for (int t = 0; t < 1000; t++) {
            int[] c = {rnd.nextInt(), rnd.nextInt(), rnd.nextInt(), rnd.nextInt()};
            long seed = rnd.nextLong();
            assertArrayEquals(Philox.block(c[0], c[1], c[2], c[3], seed), cudaPhilox(c, (int) seed, (int) (seed >>> 32)));
        }
    }

    /**
     * random.cu kiln_dropout_mask_f32 over the grid KernelOps.dropoutMask launches: each thread k
     * takes counter first + k and writes the (up to four) elements of it that fall in [0, n).
     */
    private static float[] emulateDropout(long seed, long offset, float p, int n) {
        float[] mask = new float[n];
        int[] writes = new int[n];
        long first = offset >>> 2, last = (offset + n - 1) >>> 2;
        long counters = ((offset + n - 1) >>> 2) - (offset >>> 2) + 1; // what KernelOps.dropoutMask launches for
        assertEquals(last - first + 1, counters, "threads launched vs counters the kernel walks");
        float keep = p >= 1f ? 0f : 1f / (1f - p);
        for (long k = 0; k < counters; k++) {
            long ctr = first + k;
            int[] c = cudaPhilox(new int[] {(int) ctr, (int) (ctr >>> 32), 0, 0}, (int) seed, (int) (seed >>> 32));
            for (int lane = 0; lane < 4; lane++) {
                long i = ctr * 4 + lane - offset;
                if (i < 0 || i >= n) continue;
                float u = (c[lane] >>> 8) * 0x1.0p-24f;
                mask[(int) i] = p < 1f && u >= p ? keep : 0f;
                writes[(int) i]++;
            }
        }
        for (int i = 0; i < n; i++) if (writes[i] != 1) fail("element " + i + " written " + writes[i] + " times (offset " + offset + ", n " + n + ")");
        return mask;
    }

    @Test
    void dropoutThreadsCoverEveryElementOnceWithTheSpecifiedValue() {
        for (long offset : new long[] {0, 1, 2, 3, 5, 4096, (1L << 34) + 3}) {
            for (int n : new int[] {1, 3, 4, 7, 1001}) {
                for (float p : new float[] {0f, 0.3f, 0.999f}) {
                    float[] got = emulateDropout(0x1234_5678_9abcL, offset, p, n);
                    for (int i = 0; i < n; i++) {
                        float expected = Philox.uniform(0x1234_5678_9abcL, offset + i) >= p ? 1f / (1f - p) : 0f;
                        if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(got[i])) {
                            fail("dropout offset " + offset + " n " + n + " p " + p + " element " + i + ": " + got[i] + ", expected " + expected);
                        }
                    }
                }
            }
        }
    }

    // ---- pool.cu ----

    private static final List<Pool2dSpec> POOLS = List.of(
            new Pool2dSpec(1, 1, 9, 9, 3, 3, 2, 2, 1, 1, 1, 1, true, false),
            new Pool2dSpec(1, 1, 7, 8, 2, 3, 2, 1, 1, 1, 1, 1, false, true),
            new Pool2dSpec(1, 1, 10, 9, 3, 2, 3, 2, 1, 0, 2, 2, true, true),
            new Pool2dSpec(1, 1, 5, 6, 4, 4, 1, 3, 2, 1, 1, 1, true, false),
            new Pool2dSpec(1, 1, 6, 6, 1, 1, 2, 2, 0, 0, 1, 1, false, true));

    /** The (oy, ox) windows whose taps include input cell (iy, ix): brute force over every window and tap. */
    private static List<String> coveringWindows(Pool2dSpec s, int iy, int ix) {
        List<String> out = new ArrayList<>();
        for (int oy = 0; oy < s.outH(); oy++) {
            for (int ox = 0; ox < s.outW(); ox++) {
                boolean covers = false;
                for (int ky = 0; ky < s.kh(); ky++) {
                    for (int kx = 0; kx < s.kw(); kx++) {
                        covers |= oy * s.strideH() - s.padH() + ky * s.dilationH() == iy && ox * s.strideW() - s.padW() + kx * s.dilationW() == ix;
                    }
                }
                if (covers) out.add(oy + "," + ox);
            }
        }
        return out;
    }

    /** pool.cu kiln_max_pool2d_backward_f32: the windows its ky/kx loops visit for input cell (iy, ix). */
    private static List<String> maxBackwardVisits(Pool2dSpec s, int iy, int ix) {
        List<String> out = new ArrayList<>();
        for (int ky = 0; ky < s.kh(); ky++) {
            int ty = iy + s.padH() - ky * s.dilationH();
            if (ty < 0 || ty % s.strideH() != 0 || ty / s.strideH() >= s.outH()) continue;
            int oy = ty / s.strideH();
            for (int kx = 0; kx < s.kw(); kx++) {
                int tx = ix + s.padW() - kx * s.dilationW();
                if (tx < 0 || tx % s.strideW() != 0 || tx / s.strideW() >= s.outW()) continue;
                out.add(oy + "," + (tx / s.strideW()));
            }
        }
        return out;
    }

    /** pool.cu kiln_avg_pool2d_backward_f32: the window range it sums for input cell (iy, ix) (dilation 1). */
    private static List<String> avgBackwardVisits(Pool2dSpec s, int iy, int ix) {
        int sh = s.strideH(), sw = s.strideW(), ph = s.padH(), pw = s.padW(), kh = s.kh(), kw = s.kw();
        int oyLo = iy + ph - kh + 1 > 0 ? (iy + ph - kh + 1 + sh - 1) / sh : 0;
        int oyHi = Math.min((iy + ph) / sh, s.outH() - 1);
        int oxLo = ix + pw - kw + 1 > 0 ? (ix + pw - kw + 1 + sw - 1) / sw : 0;
        int oxHi = Math.min((ix + pw) / sw, s.outW() - 1);
        List<String> out = new ArrayList<>();
        for (int oy = oyLo; oy <= oyHi; oy++) for (int ox = oxLo; ox <= oxHi; ox++) out.add(oy + "," + ox);
        return out;
    }

    @Test
    void poolingBackwardGathersVisitExactlyTheCoveringWindows() {
        for (Pool2dSpec s : POOLS) {
            for (int iy = 0; iy < s.h(); iy++) {
                for (int ix = 0; ix < s.w(); ix++) {
                    List<String> expected = coveringWindows(s, iy, ix);
                    List<String> max = maxBackwardVisits(s, iy, ix);
                    assertEquals(sorted(expected), sorted(max), "max-pool backward windows of (" + iy + ", " + ix + ") for " + s);
                    assertEquals(max.size(), max.stream().distinct().count(), "a window visited twice: " + max + " for " + s);
                    if (s.dilationH() == 1 && s.dilationW() == 1) {
                        assertEquals(expected, avgBackwardVisits(s, iy, ix), "avg-pool backward windows of (" + iy + ", " + ix + ") for " + s);
                    }
                }
            }
        }
    }

    /**
     * pool.cu kiln_avg_divisor against PyTorch's rule spelled out: the count-include-pad divisor is
     * the window clipped to the padded input; otherwise the number of real cells in it; never 0.
     */
    @Test
    void averageDivisorsFollowPyTorch() {
        for (Pool2dSpec s : POOLS) {
            if (s.dilationH() != 1 || s.dilationW() != 1) continue;
            for (int oy = 0; oy < s.outH(); oy++) {
                for (int ox = 0; ox < s.outW(); ox++) {
                    int hs = oy * s.strideH() - s.padH(), ws = ox * s.strideW() - s.padW();
                    int he = Math.min(hs + s.kh(), s.h() + s.padH()), we = Math.min(ws + s.kw(), s.w() + s.padW());
                    int poolSize = (he - hs) * (we - ws);
                    int real = (Math.min(he, s.h()) - Math.max(hs, 0)) * (Math.min(we, s.w()) - Math.max(ws, 0));
                    int cells = 0, padded = 0;
                    for (int y = oy * s.strideH() - s.padH(); y < oy * s.strideH() - s.padH() + s.kh(); y++) {
                        for (int x = ox * s.strideW() - s.padW(); x < ox * s.strideW() - s.padW() + s.kw(); x++) {
                            if (y < s.h() + s.padH() && x < s.w() + s.padW()) padded++;
                            if (y >= 0 && y < s.h() && x >= 0 && x < s.w()) cells++;
                        }
                    }
                    assertEquals(padded, poolSize, "include-pad divisor of window (" + oy + ", " + ox + ") for " + s);
                    assertEquals(cells, real, "exclude-pad divisor of window (" + oy + ", " + ox + ") for " + s);
                    if (real < 1) fail("window (" + oy + ", " + ox + ") holds no input cell for " + s);
                }
            }
        }
    }

    // ---- pad.cu ----

    /** pad.cu kiln_pad2d_backward_f32 for one plane: the gather as written. */
    private static double[] emulatePadBackward(PadSpec s, double[] gy) {
        int h = s.h(), w = s.w(), oh = s.outH(), ow = s.outW();
        double[] gx = new double[h * w];
        for (int iy = 0; iy < h; iy++) {
            for (int ix = 0; ix < w; ix++) {
                double acc;
                if (s.mode() == PadSpec.Mode.ZEROS) {
                    acc = gy[(iy + s.top()) * ow + ix + s.left()];
                } else {
                    acc = 0;
                    for (int oy = Math.floorMod(iy + s.top(), h); oy < oh; oy += h) {
                        for (int ox = Math.floorMod(ix + s.left(), w); ox < ow; ox += w) acc += gy[oy * ow + ox];
                    }
                }
                gx[iy * w + ix] = acc;
            }
        }
        return gx;
    }

    /** The adjoint by scattering: every output cell adds its gradient to the input cell its forward read. */
    private static double[] scatterPadBackward(PadSpec s, double[] gy) {
        double[] gx = new double[s.h() * s.w()];
        for (int oy = 0; oy < s.outH(); oy++) {
            for (int ox = 0; ox < s.outW(); ox++) {
                int iy = oy - s.top(), ix = ox - s.left();
                if (s.mode() == PadSpec.Mode.CIRCULAR) {
                    iy = Math.floorMod(iy, s.h());
                    ix = Math.floorMod(ix, s.w());
                } else if (iy < 0 || iy >= s.h() || ix < 0 || ix >= s.w()) {
                    continue;
                }
                gx[iy * s.w() + ix] += gy[oy * s.outW() + ox];
            }
        }
        return gx;
    }

    @Test
    void padBackwardGatherIsTheAdjointOfTheForward() {
        Random rnd = new Random(3);
        for (PadSpec.Mode mode : PadSpec.Mode.values()) {
            for (int[] p : new int[][] {{0, 0, 0, 0}, {1, 2, 3, 1}, {3, 3, 4, 4}, {2, 0, 0, 4}}) {
                PadSpec s = new PadSpec(1, 1, 3, 4, p[0], p[1], p[2], p[3], mode);
                double[] gy = new double[s.outH() * s.outW()];
                for (int i = 0; i < gy.length; i++) gy[i] = rnd.nextInt(100);
                assertArrayEquals(scatterPadBackward(s, gy), emulatePadBackward(s, gy), 0, "pad2d backward " + s);
            }
        }
    }

    // ---- reduce.cu ----

    /** reduce.cu kiln_sum_f32's odometer: the offsets (relative to the output's base) it visits, in order. */
    private static List<Long> odometer(long[] redShape, long[] redStride) {
        long redN = 1;
        for (long d : redShape) redN *= d;
        long[] idx = new long[redShape.length];
        long off = 0;
        List<Long> visited = new ArrayList<>();
        for (long k = 0; k < redN; k++) {
            visited.add(off);
            for (int d = redShape.length - 1; d >= 0; d--) {
                off += redStride[d];
                if (++idx[d] < redShape[d]) break;
                off -= idx[d] * redStride[d];
                idx[d] = 0;
            }
        }
        return visited;
    }

    @Test
    void sumOdometerVisitsTheReducedElementsInRowMajorOrder() {
        long[][][] cases = {{{3, 4, 2}, {100, 10, 1}}, {{5}, {7}}, {{2, 3}, {1, 2}}, {{}, {}}};
        for (long[][] c : cases) {
            long[] shape = c[0], stride = c[1];
            List<Long> expected = new ArrayList<>();
            long n = 1;
            for (long d : shape) n *= d;
            for (long lin = 0; lin < n; lin++) {
                long rem = lin, off = 0;
                for (int d = shape.length - 1; d >= 0; d--) {
                    off += (rem % shape[d]) * stride[d];
                    rem /= shape[d];
                }
                expected.add(off);
            }
            assertEquals(expected, odometer(shape, stride), "odometer over shape " + java.util.Arrays.toString(shape));
        }
    }

    private static List<String> sorted(List<String> v) {
        return v.stream().sorted().toList();
    }
}
