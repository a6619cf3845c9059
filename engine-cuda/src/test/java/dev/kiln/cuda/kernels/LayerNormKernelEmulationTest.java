package dev.kiln.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.spi.LayerNormSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * layer_norm.cu transcribed into Java over the grids {@link KernelOps} launches (which thread
 * handles which row or column, the lane-strided sums and the shuffle tree), checked against
 * float64 formulas written from the definition: every output written exactly once, values within
 * float32 rounding. The GPU run checks the compiled kernels; this checks their loops.
 */
class LayerNormKernelEmulationTest {
    private static final int WARP = 32;

    /** common.cuh kiln_warp_sum: butterfly over xor offsets 16 .. 1, every lane ends with the total. */
    private static float[] warpSum(float[] v) {
        float[] cur = v.clone();
        for (int o = WARP / 2; o > 0; o >>= 1) {
            float[] next = new float[WARP];
            for (int l = 0; l < WARP; l++) next[l] = cur[l] + cur[l ^ o];
            cur = next;
        }
        return cur;
    }

    /** Rows handled by each warp of KILN_WARP_STRIDE over the 1-D grid KernelOps.launchWarps starts; counts writes per row. */
    private static int[] rowVisits(int rows) {
        int grid = KernelOps.gridFor((long) rows * WARP), warps = grid * KernelOps.BLOCK / WARP;
        int[] visits = new int[rows];
        for (int warp = 0; warp < warps; warp++) for (long r = warp; r < rows; r += warps) visits[(int) r]++;
        return visits;
    }

    /** kiln_layer_norm_f32 for one row, lane by lane. */
    private static void forwardRow(float[] x, float[] w, float[] b, float[] y, float[] mean, float[] inv, int row, int cols, float eps,
                                   boolean rms) {
        int base = row * cols;
        float m = 0f;
        if (!rms) {
            float[] s = new float[WARP];
            for (int l = 0; l < WARP; l++) for (int j = l; j < cols; j += WARP) s[l] += x[base + j];
            m = warpSum(s)[0] / cols;
        }
        float[] q = new float[WARP];
        for (int l = 0; l < WARP; l++) {
            for (int j = l; j < cols; j += WARP) {
                float d = x[base + j] - m;
                q[l] += d * d;
            }
        }
        float r = (float) (1 / Math.sqrt(warpSum(q)[0] / cols + eps));  // rsqrtf
        for (int j = 0; j < cols; j++) {
            float v = (x[base + j] - m) * r;
            if (w != null) v *= w[j];
            if (b != null) v += b[j];
            y[base + j] = v;
        }
        mean[row] = m;
        inv[row] = r;
    }

    /** kiln_layer_norm_param_grad_f32 over its grid: returns {gw, gb} and checks each column is written once. */
    private static float[][] paramGrad(float[] x, float[] gy, float[] mean, float[] inv, int rows, int cols) {
        int lanes = KernelOps.LAYER_NORM_ROW_LANES;
        int tiles = (cols + WARP - 1) / WARP, grid = Math.min(tiles, KernelOps.MAX_GRID);
        float[] gw = new float[cols], gb = new float[cols];
        int[] writes = new int[cols];
        for (int block = 0; block < grid; block++) {
            for (long tile = block; tile < tiles; tile += grid) {
                float[][] pw = new float[lanes][WARP], pb = new float[lanes][WARP];
                for (int t = 0; t < KernelOps.BLOCK; t++) {
                    int lane = t % WARP, k = t / WARP;
                    long j = tile * WARP + lane;
                    if (j >= cols) continue;
                    for (long r = k; r < rows; r += lanes) {
                        float g = gy[(int) (r * cols + j)];
                        pw[k][lane] += g * (x[(int) (r * cols + j)] - mean[(int) r]) * inv[(int) r];
                        pb[k][lane] += g;
                    }
                }
                for (int lane = 0; lane < WARP; lane++) {
                    long j = tile * WARP + lane;
                    if (j >= cols) continue;
                    float tw = 0f, tb = 0f;
                    for (int i = 0; i < lanes; i++) {
                        tw += pw[i][lane];
                        tb += pb[i][lane];
                    }
                    gw[(int) j] = tw;
                    gb[(int) j] = tb;
                    writes[(int) j]++;
                }
            }
        }
        for (int j = 0; j < cols; j++) assertEquals(1, writes[j], "column " + j + " written");
        return new float[][] {gw, gb};
    }

    @Test
    void forwardAndParameterGradientsMatchTheDefinition() {
        Random rnd = new Random(3);
        for (int[] shape : new int[][] {{5, 7}, {33, 100}, {2, 1}, {70, 33}, {3, 300}}) {
            for (boolean rms : new boolean[] {false, true}) {
                int rows = shape[0], cols = shape[1];
                LayerNormSpec spec = new LayerNormSpec(rows, cols, 1e-5f, rms);
                float[] x = new float[rows * cols], gy = new float[rows * cols], w = new float[cols], b = new float[cols];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (rnd.nextGaussian() * 2 + 0.5);
                    gy[i] = (float) rnd.nextGaussian();
                }
                for (int j = 0; j < cols; j++) {
                    w[j] = 0.5f + rnd.nextFloat();
                    b[j] = rnd.nextFloat() - 0.5f;
                }
                for (int v : rowVisits(rows)) assertEquals(1, v, "each row is taken by exactly one warp");
                float[] y = new float[x.length], mean = new float[rows], inv = new float[rows];
                for (int r = 0; r < rows; r++) forwardRow(x, w, rms ? null : b, y, mean, inv, r, cols, spec.eps(), rms);
                float[][] grads = paramGrad(x, gy, mean, inv, rows, cols);
                String what = (rms ? "rms" : "layer") + " norm " + rows + "x" + cols;
                double[] gw = new double[cols], gb = new double[cols];
                for (int r = 0; r < rows; r++) {
                    double m = 0, q = 0;
                    if (!rms) {
                        for (int j = 0; j < cols; j++) m += x[r * cols + j];
                        m /= cols;
                    }
                    for (int j = 0; j < cols; j++) q += Math.pow(x[r * cols + j] - m, 2);
                    double is = 1 / Math.sqrt(q / cols + 1e-5);
                    for (int j = 0; j < cols; j++) {
                        double xhat = (x[r * cols + j] - m) * is;
                        double expected = xhat * w[j] + (rms ? 0 : b[j]);
                        assertEquals(expected, y[r * cols + j], 2e-5 + 2e-5 * Math.abs(expected), what + " y[" + r + ", " + j + "]");
                        gw[j] += gy[r * cols + j] * xhat;
                        gb[j] += gy[r * cols + j];
                    }
                }
                for (int j = 0; j < cols; j++) {
                    assertEquals(gw[j], grads[0][j], 1e-4 * (1 + Math.abs(gw[j])), what + " gw[" + j + "]");
                    assertEquals(gb[j], grads[1][j], 1e-4 * (1 + Math.abs(gb[j])), what + " gb[" + j + "]");
                }
            }
        }
    }

    /** kiln_layer_norm_backward_f32 for one row, lane by lane (w may be null). */
    private static void backwardRow(float[] x, float[] w, float[] gy, float[] mean, float[] inv, float[] gx, int row, int cols, boolean rms) {
        int base = row * cols;
        float m = mean[row], r = inv[row];
        float[] sg = new float[WARP], sgx = new float[WARP];
        for (int l = 0; l < WARP; l++) {
            for (int j = l; j < cols; j += WARP) {
                float g = w != null ? gy[base + j] * w[j] : gy[base + j];
                sg[l] += g;
                sgx[l] += g * (x[base + j] - m) * r;
            }
        }
        float meanG = rms ? 0f : warpSum(sg)[0] / cols;
        float meanGX = warpSum(sgx)[0] / cols;
        for (int j = 0; j < cols; j++) {
            float g = w != null ? gy[base + j] * w[j] : gy[base + j];
            gx[base + j] = r * (g - meanG - (x[base + j] - m) * r * meanGX);
        }
    }

    /** sum_j gy_j * y_j of one row normalised in float64 (no bias: it does not depend on x). */
    private static double rowLoss(double[] x, float[] w, float[] gy, int base, double eps, boolean rms) {
        int cols = x.length;
        double m = 0, q = 0, loss = 0;
        if (!rms) {
            for (double v : x) m += v;
            m /= cols;
        }
        for (double v : x) q += (v - m) * (v - m);
        double is = 1 / Math.sqrt(q / cols + eps);
        for (int j = 0; j < cols; j++) loss += gy[base + j] * (x[j] - m) * is * (w == null ? 1 : w[j]);
        return loss;
    }

    /** The input gradient over the launch's warps, against central differences of the float64 norm (with and without weight). */
    @Test
    void inputGradientMatchesFiniteDifferences() {
        Random rnd = new Random(4);
        for (int[] shape : new int[][] {{3, 7}, {5, 33}, {2, 100}, {40, 5}}) {
            for (boolean rms : new boolean[] {false, true}) {
                for (boolean weighted : new boolean[] {true, false}) {
                    int rows = shape[0], cols = shape[1];
                    float eps = 1e-5f;
                    float[] x = new float[rows * cols], gy = new float[rows * cols], w = weighted ? new float[cols] : null;
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) (rnd.nextGaussian() * 2 + 0.5);
                        gy[i] = (float) rnd.nextGaussian();
                    }
                    if (weighted) for (int j = 0; j < cols; j++) w[j] = 0.5f + rnd.nextFloat();
                    float[] y = new float[x.length], mean = new float[rows], inv = new float[rows], gx = new float[x.length];
                    int[] visits = rowVisits(rows);
                    for (int r = 0; r < rows; r++) {
                        assertEquals(1, visits[r], "each row is taken by exactly one warp");
                        forwardRow(x, w, null, y, mean, inv, r, cols, eps, rms);
                        backwardRow(x, w, gy, mean, inv, gx, r, cols, rms);
                    }
                    String what = (rms ? "rms" : "layer") + " norm " + rows + "x" + cols + (weighted ? " weighted" : "");
                    for (int r = 0; r < rows; r++) {
                        double[] row = new double[cols];
                        for (int j = 0; j < cols; j++) row[j] = x[r * cols + j];
                        for (int j = 0; j < cols; j++) {
                            double h = 1e-6, keep = row[j];
                            row[j] = keep + h;
                            double up = rowLoss(row, w, gy, r * cols, eps, rms);
                            row[j] = keep - h;
                            double down = rowLoss(row, w, gy, r * cols, eps, rms);
                            row[j] = keep;
                            double expected = (up - down) / (2 * h);
                            assertEquals(expected, gx[r * cols + j], 1e-4 * (1 + Math.abs(expected)), what + " gx[" + r + ", " + j + "]");
                        }
                    }
                }
            }
        }
    }
}
