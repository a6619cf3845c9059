package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.BatchNormSpec;
import java.lang.foreign.MemorySegment;

/**
 * Batch normalisation over {@code [n, c, spatial]}, per channel. Statistics are two-pass sums in
 * double, each channel reduced by one task over images then positions in order, so they are
 * identical for every thread count. {@code gamma}, {@code beta} may be null (no affine).
 */
public final class BatchNorm {
    private BatchNorm() {}

    /** Training mode: {@code y}, {@code saveMean}, {@code saveInvStd}, and running stats when non-null. */
    public static void train(CpuThreadPool pool, BatchNormSpec s, MemorySegment x, MemorySegment gamma, MemorySegment beta,
                             MemorySegment y, MemorySegment saveMean, MemorySegment saveInvStd,
                             MemorySegment runningMean, MemorySegment runningVar) {
        long count = (long) s.n() * s.spatial();
        pool.parallelFor(s.c(), ch -> {
            double sum = 0;
            for (int i = 0; i < s.n(); i++) {
                long base = base(s, i, ch);
                for (int p = 0; p < s.spatial(); p++) sum += x.getAtIndex(JAVA_FLOAT, base + p);
            }
            double mean = sum / count;
            double sq = 0;
            for (int i = 0; i < s.n(); i++) {
                long base = base(s, i, ch);
                for (int p = 0; p < s.spatial(); p++) {
                    double d = x.getAtIndex(JAVA_FLOAT, base + p) - mean;
                    sq += d * d;
                }
            }
            double var = sq / count;
            double invStd = 1.0 / Math.sqrt(var + s.eps());
            normalise(s, x, y, ch, mean, invStd, gamma, beta);
            saveMean.setAtIndex(JAVA_FLOAT, ch, (float) mean);
            saveInvStd.setAtIndex(JAVA_FLOAT, ch, (float) invStd);
            double m = s.momentum();
            if (runningMean != null) {
                runningMean.setAtIndex(JAVA_FLOAT, ch, (float) ((1 - m) * runningMean.getAtIndex(JAVA_FLOAT, ch) + m * mean));
            }
            if (runningVar != null) {
                // Running variance uses the unbiased estimate (PyTorch); a single value has none, so keep the biased one.
                double unbiased = count > 1 ? sq / (count - 1) : var;
                runningVar.setAtIndex(JAVA_FLOAT, ch, (float) ((1 - m) * runningVar.getAtIndex(JAVA_FLOAT, ch) + m * unbiased));
            }
        });
    }

    /** Eval mode: {@code y = (x - runningMean) / sqrt(runningVar + eps) * gamma + beta}. */
    public static void eval(CpuThreadPool pool, BatchNormSpec s, MemorySegment x, MemorySegment gamma, MemorySegment beta,
                            MemorySegment runningMean, MemorySegment runningVar, MemorySegment y) {
        pool.parallelFor(s.c(), ch -> {
            double mean = runningMean.getAtIndex(JAVA_FLOAT, ch);
            double invStd = 1.0 / Math.sqrt(runningVar.getAtIndex(JAVA_FLOAT, ch) + (double) s.eps());
            normalise(s, x, y, ch, mean, invStd, gamma, beta);
        });
    }

    private static void normalise(BatchNormSpec s, MemorySegment x, MemorySegment y, int ch, double mean, double invStd,
                                  MemorySegment gamma, MemorySegment beta) {
        double g = gamma == null ? 1 : gamma.getAtIndex(JAVA_FLOAT, ch);
        double b = beta == null ? 0 : beta.getAtIndex(JAVA_FLOAT, ch);
        for (int i = 0; i < s.n(); i++) {
            long base = base(s, i, ch);
            for (int p = 0; p < s.spatial(); p++) {
                y.setAtIndex(JAVA_FLOAT, base + p, (float) ((x.getAtIndex(JAVA_FLOAT, base + p) - mean) * invStd * g + b));
            }
        }
    }

    /**
     * {@code gx = gamma*invstd/M * (M*gy - sum(gy) - xhat*sum(gy*xhat))}, {@code gGamma = sum(gy*xhat)},
     * {@code gBeta = sum(gy)}; M = n*spatial. {@code gGamma}/{@code gBeta} may be null.
     */
    public static void backward(CpuThreadPool pool, BatchNormSpec s, MemorySegment x, MemorySegment gamma, MemorySegment gy,
                                MemorySegment saveMean, MemorySegment saveInvStd,
                                MemorySegment gx, MemorySegment gGamma, MemorySegment gBeta) {
        double count = (double) s.n() * s.spatial();
        pool.parallelFor(s.c(), ch -> {
            double mean = saveMean.getAtIndex(JAVA_FLOAT, ch), invStd = saveInvStd.getAtIndex(JAVA_FLOAT, ch);
            double sumG = 0, sumGX = 0;
            for (int i = 0; i < s.n(); i++) {
                long base = base(s, i, ch);
                for (int p = 0; p < s.spatial(); p++) {
                    double g = gy.getAtIndex(JAVA_FLOAT, base + p);
                    sumG += g;
                    sumGX += g * (x.getAtIndex(JAVA_FLOAT, base + p) - mean) * invStd;
                }
            }
            if (gx != null) {
                double scale = (gamma == null ? 1 : gamma.getAtIndex(JAVA_FLOAT, ch)) * invStd / count;
                for (int i = 0; i < s.n(); i++) {
                    long base = base(s, i, ch);
                    for (int p = 0; p < s.spatial(); p++) {
                        double xhat = (x.getAtIndex(JAVA_FLOAT, base + p) - mean) * invStd;
                        double g = gy.getAtIndex(JAVA_FLOAT, base + p);
                        gx.setAtIndex(JAVA_FLOAT, base + p, (float) (scale * (count * g - sumG - xhat * sumGX)));
                    }
                }
            }
            if (gGamma != null) gGamma.setAtIndex(JAVA_FLOAT, ch, (float) sumGX);
            if (gBeta != null) gBeta.setAtIndex(JAVA_FLOAT, ch, (float) sumG);
        });
    }

    private static long base(BatchNormSpec s, int image, int ch) {
        return ((long) image * s.c() + ch) * s.spatial();
    }
}
