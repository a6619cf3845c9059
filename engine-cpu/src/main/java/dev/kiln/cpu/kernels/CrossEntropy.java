package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.CrossEntropySpec;
import java.lang.foreign.MemorySegment;

/** Cross-entropy fused with log-softmax over {@code [n, classes]}, with label smoothing. */
public final class CrossEntropy {
    private CrossEntropy() {}

    /**
     * Per-sample {@code losses[n]} and {@code logProbs[n, classes]}.
     *
     * @throws IllegalArgumentException naming the first target outside [0, classes), before writing anything
     */
    public static void forward(CpuThreadPool pool, CrossEntropySpec s, MemorySegment logits, MemorySegment targets,
                               MemorySegment losses, MemorySegment logProbs) {
        int c = s.classes();
        checkTargets(s, targets);
        double smooth = s.labelSmoothing();
        pool.parallelRange(s.n(), Math.max(1, Elementwise.GRAIN / c), (st, e) -> {
            for (long i = st; i < e; i++) {
                long base = i * c;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < c; j++) max = Math.max(max, logits.getAtIndex(JAVA_FLOAT, base + j));
                double shift = max;
                double sum = 0;
                for (int j = 0; j < c; j++) sum += Math.exp(logits.getAtIndex(JAVA_FLOAT, base + j) - shift);
                double lse = shift + Math.log(sum);
                double all = 0;
                for (int j = 0; j < c; j++) {
                    double lp = logits.getAtIndex(JAVA_FLOAT, base + j) - lse;
                    all += lp;
                    logProbs.setAtIndex(JAVA_FLOAT, base + j, (float) lp);
                }
                int t = targets.getAtIndex(JAVA_INT, i);
                double target = logits.getAtIndex(JAVA_FLOAT, base + t) - lse;
                double loss = -(1 - smooth) * target - (smooth / c) * all;
                losses.setAtIndex(JAVA_FLOAT, i, (float) loss);
            }
        });
    }

    /** {@code gradLogits[i, j] = gradLoss[i] * (exp(logp[i, j]) - ((1-s)*[j == y_i] + s/C))}. */
    public static void backward(CpuThreadPool pool, CrossEntropySpec s, MemorySegment logProbs, MemorySegment targets,
                                MemorySegment gradLoss, MemorySegment gradLogits) {
        int c = s.classes();
        checkTargets(s, targets);
        double smooth = s.labelSmoothing();
        pool.parallelRange(s.n(), Math.max(1, Elementwise.GRAIN / c), (st, e) -> {
            for (long i = st; i < e; i++) {
                long base = i * c;
                int t = targets.getAtIndex(JAVA_INT, i);
                double g = gradLoss.getAtIndex(JAVA_FLOAT, i);
                for (int j = 0; j < c; j++) {
                    double q = (j == t ? 1 - smooth : 0) + smooth / c;
                    gradLogits.setAtIndex(JAVA_FLOAT, base + j, (float) (g * (Math.exp(logProbs.getAtIndex(JAVA_FLOAT, base + j)) - q)));
                }
            }
        });
    }

    private static void checkTargets(CrossEntropySpec s, MemorySegment targets) {
        for (long i = 0; i < s.n(); i++) {
            int t = targets.getAtIndex(JAVA_INT, i);
            if (t < 0 || t >= s.classes()) {
                throw new IllegalArgumentException("cross_entropy: target " + t + " at index " + i + " is out of range [0, " + s.classes() + ")");
            }
        }
    }
}
