package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.CrossEntropySpec;
import dev.kiln.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Cross-entropy fused with log-softmax over {@code [n, classes, inner]}, with label smoothing and
 * an ignored target value. Each position is computed by one thread from its own inputs, so the
 * result does not depend on the thread count.
 */
public final class CrossEntropy {
    private CrossEntropy() {}

    /**
     * Per-position {@code losses[n * inner]}, {@code logProbs[n, classes, inner]} and, when not
     * null, {@code counted[n * inner]} (1, or 0 where the target is ignored).
     *
     * @throws IllegalArgumentException naming the first target outside [0, classes) that is not the ignore index,
     *                                  before writing anything
     */
    public static void forward(CpuThreadPool pool, CrossEntropySpec s, MemorySegment logits, MemorySegment targets,
                               MemorySegment losses, MemorySegment logProbs, MemorySegment counted) {
        int c = s.classes(), inner = s.inner();
        checkTargets(s, targets);
        double smooth = s.labelSmoothing();
        pool.parallelRange(s.positions(), Math.max(1, Elementwise.GRAIN / c), (st, e) -> {
            for (long p = st; p < e; p++) {
                long base = (p / inner) * c * inner + p % inner;
                long t = target(s, targets, p);
                boolean ignored = t == s.ignoreIndex();
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < c; j++) max = Math.max(max, logits.getAtIndex(JAVA_FLOAT, base + (long) j * inner));
                double shift = max;
                double sum = 0;
                for (int j = 0; j < c; j++) sum += Math.exp(logits.getAtIndex(JAVA_FLOAT, base + (long) j * inner) - shift);
                double lse = shift + Math.log(sum);
                double all = 0;
                for (int j = 0; j < c; j++) {
                    double lp = logits.getAtIndex(JAVA_FLOAT, base + (long) j * inner) - lse;
                    all += lp;
                    logProbs.setAtIndex(JAVA_FLOAT, base + (long) j * inner, (float) lp);
                }
                double loss = 0;
                if (!ignored) {
                    double target = logits.getAtIndex(JAVA_FLOAT, base + t * inner) - lse;
                    loss = -(1 - smooth) * target;
                    // skipped when s == 0 so a -inf log-probability elsewhere cannot turn 0 * -inf into NaN
                    if (smooth > 0) loss -= (smooth / c) * all;
                }
                losses.setAtIndex(JAVA_FLOAT, p, (float) loss);
                if (counted != null) counted.setAtIndex(JAVA_FLOAT, p, ignored ? 0f : 1f);
            }
        });
    }

    /**
     * {@code gradLogits[i, j, k] = gradLoss[p] * (exp(logp[i, j, k]) - ((1-s)*[j == y_p] + s/C))}, 0 where
     * {@code y_p} is the ignore index.
     */
    public static void backward(CpuThreadPool pool, CrossEntropySpec s, MemorySegment logProbs, MemorySegment targets,
                                MemorySegment gradLoss, MemorySegment gradLogits) {
        int c = s.classes(), inner = s.inner();
        checkTargets(s, targets);
        double smooth = s.labelSmoothing();
        pool.parallelRange(s.positions(), Math.max(1, Elementwise.GRAIN / c), (st, e) -> {
            for (long p = st; p < e; p++) {
                long base = (p / inner) * c * inner + p % inner;
                long t = target(s, targets, p);
                if (t == s.ignoreIndex()) {
                    for (int j = 0; j < c; j++) gradLogits.setAtIndex(JAVA_FLOAT, base + (long) j * inner, 0f);
                    continue;
                }
                double g = gradLoss.getAtIndex(JAVA_FLOAT, p);
                for (int j = 0; j < c; j++) {
                    long at = base + (long) j * inner;
                    double q = (j == t ? 1 - smooth : 0) + smooth / c;
                    gradLogits.setAtIndex(JAVA_FLOAT, at, (float) (g * (Math.exp(logProbs.getAtIndex(JAVA_FLOAT, at)) - q)));
                }
            }
        });
    }

    private static long target(CrossEntropySpec s, MemorySegment targets, long p) {
        return s.targetType() == DType.INT64 ? targets.getAtIndex(JAVA_LONG, p) : targets.getAtIndex(JAVA_INT, p);
    }

    private static void checkTargets(CrossEntropySpec s, MemorySegment targets) {
        for (long p = 0; p < s.positions(); p++) {
            long t = target(s, targets, p);
            if ((t < 0 || t >= s.classes()) && t != s.ignoreIndex()) {
                throw new IllegalArgumentException("cross_entropy: target " + t + " at position " + p + " is out of range [0, "
                        + s.classes() + ") (ignore_index is " + s.ignoreIndex() + ")");
            }
        }
    }
}
