package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertClose;
import static dev.kiln.cpu.KernelHarness.random;
import static dev.kiln.cpu.KernelHarness.read;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.spi.Pool2dSpec;
import dev.kiln.spi.Storage;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Max and average pooling (padding, dilation, ceil mode, count_include_pad) against float64 loops. */
class Pool2dTest {
    private final KernelHarness h = new KernelHarness();

    private static final List<Pool2dSpec> MAX_CASES = List.of(
            new Pool2dSpec(2, 3, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, false, true),
            new Pool2dSpec(2, 3, 7, 6, 3, 2, 2, 2, 1, 1, 1, 1, true, true),
            new Pool2dSpec(1, 2, 9, 8, 3, 3, 2, 1, 1, 0, 2, 2, true, true),
            new Pool2dSpec(1, 1, 5, 5, 2, 2, 1, 1, 0, 0, 1, 1, false, true),
            // Windows inside the input (the fast path): disjoint 2x2 on even and odd sizes (an uncovered last row and
            // column), and a 3x3 window with stride 3.
            new Pool2dSpec(2, 3, 26, 26, 2, 2, 2, 2, 0, 0, 1, 1, false, true),
            new Pool2dSpec(3, 2, 11, 9, 2, 2, 2, 2, 0, 0, 1, 1, false, true),
            new Pool2dSpec(1, 2, 7, 10, 3, 3, 3, 3, 0, 0, 1, 1, false, true),
            // Many planes: each thread's range runs as several cache-sized blocks plus a shorter last one.
            new Pool2dSpec(5, 7, 26, 26, 2, 2, 2, 2, 0, 0, 1, 1, false, true),
            new Pool2dSpec(4, 9, 27, 27, 2, 2, 2, 2, 0, 0, 1, 1, false, true));

    private static final List<Pool2dSpec> AVG_CASES = List.of(
            new Pool2dSpec(2, 3, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, false, true),
            new Pool2dSpec(2, 3, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, false, false),
            new Pool2dSpec(2, 2, 6, 5, 3, 2, 2, 2, 1, 1, 1, 1, true, true),
            new Pool2dSpec(2, 2, 6, 5, 3, 2, 2, 2, 1, 1, 1, 1, true, false),
            new Pool2dSpec(1, 1, 4, 4, 2, 2, 2, 2, 0, 0, 1, 1, false, true));

    @AfterEach
    void close() {
        h.close();
    }

    /** Index of the first maximal real input of window (oy, ox) of plane {@code pl}, scanned row-major; -1 if none. */
    private static int refArgmax(Pool2dSpec s, float[] x, int pl, int oy, int ox) {
        int best = -1;
        for (int ki = 0; ki < s.kh(); ki++) {
            for (int kj = 0; kj < s.kw(); kj++) {
                int iy = oy * s.strideH() - s.padH() + ki * s.dilationH(), ix = ox * s.strideW() - s.padW() + kj * s.dilationW();
                if (iy < 0 || iy >= s.h() || ix < 0 || ix >= s.w()) continue;
                int at = (pl * s.h() + iy) * s.w() + ix;
                if (best < 0 || x[at] > x[best]) best = at;
            }
        }
        return best;
    }

    /** PyTorch's avg-pool window {h0, h1, w0, w1, divisor}, written out independently. */
    private static int[] refWindow(Pool2dSpec s, int oy, int ox) {
        int hs = oy * s.strideH() - s.padH(), ws = ox * s.strideW() - s.padW();
        int he = Math.min(hs + s.kh(), s.h() + s.padH()), we = Math.min(ws + s.kw(), s.w() + s.padW());
        int size = (he - hs) * (we - ws);
        int h0 = Math.max(hs, 0), w0 = Math.max(ws, 0), h1 = Math.min(he, s.h()), w1 = Math.min(we, s.w());
        return new int[] {h0, h1, w0, w1, s.countIncludePad() ? size : (h1 - h0) * (w1 - w0)};
    }

    @Test
    void maxForwardAndBackward() {
        for (Pool2dSpec s : MAX_CASES) {
            int planes = s.n() * s.c(), oh = s.outH(), ow = s.outW();
            float[] x = random(1, planes * s.h() * s.w()), gy = random(2, planes * oh * ow);
            double[] y = new double[planes * oh * ow], gx = new double[x.length];
            for (int pl = 0; pl < planes; pl++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int at = refArgmax(s, x, pl, oy, ox), yi = (pl * oh + oy) * ow + ox;
                        y[yi] = x[at];
                        gx[at] += gy[yi];
                    }
                }
            }
            Storage xs = h.store(x), ys = h.empty(y.length), gxs = h.empty(x.length);
            h.cpu.maxPool2d(s, xs, ys);
            assertClose("maxPool2d " + s, y, read(ys));
            h.cpu.maxPool2dBackward(s, xs, ys, h.store(gy), gxs);
            assertClose("maxPool2d backward " + s, gx, read(gxs));
        }
    }

    @Test
    void maxBackwardRoutesTiesToFirstInWindow() {
        Pool2dSpec s = new Pool2dSpec(1, 1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, false, true);
        Storage x = h.store(new float[9]), y = h.empty(4), gx = h.empty(9);
        h.cpu.maxPool2d(s, x, y);
        h.cpu.maxPool2dBackward(s, x, y, h.store(new float[] {1, 2, 3, 4}), gx);
        // All inputs equal: each window picks its top-left cell.
        assertClose("maxPool2d tie routing", new double[] {1, 2, 0, 3, 4, 0, 0, 0, 0}, read(gx));
    }

    @Test
    void disjointTwoByTwoRoutesTiesToFirstAndNaNToFirstNaN() {
        Pool2dSpec s = new Pool2dSpec(1, 1, 2, 6, 2, 2, 2, 2, 0, 0, 1, 1, false, true);
        float nan = Float.NaN;
        // Windows: all equal; max in the last cell; NaN in the bottom row after a NaN-free top row.
        float[] x = {5, 5, 1, 2, 0, 1,
                     5, 5, 3, 9, nan, nan};
        Storage xs = h.store(x), y = h.empty(3), gx = h.empty(12);
        h.cpu.maxPool2d(s, xs, y);
        assertClose("maxPool2d 2x2 ties and NaN", new double[] {5, 9, Double.NaN}, read(y));
        h.cpu.maxPool2dBackward(s, xs, y, h.store(new float[] {1, 2, 3}), gx);
        assertClose("maxPool2d 2x2 backward ties and NaN", new double[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 0}, read(gx));
    }

    @Test
    void avgForwardAndBackward() {
        for (Pool2dSpec s : AVG_CASES) {
            int planes = s.n() * s.c(), oh = s.outH(), ow = s.outW();
            float[] x = random(3, planes * s.h() * s.w()), gy = random(4, planes * oh * ow);
            double[] y = new double[planes * oh * ow], gx = new double[x.length];
            for (int pl = 0; pl < planes; pl++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int[] win = refWindow(s, oy, ox);
                        int yi = (pl * oh + oy) * ow + ox;
                        for (int iy = win[0]; iy < win[1]; iy++) {
                            for (int ix = win[2]; ix < win[3]; ix++) {
                                y[yi] += x[(pl * s.h() + iy) * s.w() + ix] / (double) win[4];
                                gx[(pl * s.h() + iy) * s.w() + ix] += gy[yi] / (double) win[4];
                            }
                        }
                    }
                }
            }
            Storage ys = h.empty(y.length), gxs = h.empty(x.length);
            h.cpu.avgPool2d(s, h.store(x), ys);
            assertClose("avgPool2d " + s, y, read(ys));
            h.cpu.avgPool2dBackward(s, h.store(gy), gxs);
            assertClose("avgPool2d backward " + s, gx, read(gxs));
        }
    }

    @Test
    void ceilModeAddsPartialWindow() {
        // 5 wide, kernel 2, stride 2: floor gives 2 windows, ceil 3 (the last starts inside the input).
        assertEquals(3, new Pool2dSpec(1, 1, 5, 5, 2, 2, 2, 2, 0, 0, 1, 1, true, true).outW());
        Pool2dSpec s = new Pool2dSpec(1, 1, 1, 5, 1, 2, 1, 2, 0, 0, 1, 1, true, false);
        Storage y = h.empty(3);
        h.cpu.avgPool2d(s, h.store(new float[] {1, 2, 3, 4, 5}), y);
        assertClose("avgPool2d ceil partial window", new double[] {1.5, 3.5, 5}, read(y));
    }
}
