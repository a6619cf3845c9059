package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.CrossEntropySpec;
import dev.kiln.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Cross-entropy fused with log-softmax over {@code [n, classes, inner]}, with label smoothing and
 * an ignored target value. Each position is computed by one thread from its own inputs, so the
 * result does not depend on the thread count. A position's classes are copied to the heap and
 * their exponentials taken a row at a time in double ({@link RowOps#expNonPositive}: vector lanes
 * when SIMD is on, the same bits either way).
 */
public final class CrossEntropy {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
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
            Row row = Row.of(c);
            for (long p = st; p < e; p++) {
                long base = (p / inner) * c * inner + p % inner;
                long t = target(s, targets, p);
                boolean ignored = t == s.ignoreIndex();
                row.read(logits, base, inner, c);
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < c; j++) max = Math.max(max, row.f[j]);
                double shift = max;
                for (int j = 0; j < c; j++) row.d[j] = row.f[j] - shift;
                RowOps.get().expNonPositive(row.d, 0, c);
                double sum = 0;
                for (int j = 0; j < c; j++) sum += row.d[j];
                double lse = shift + Math.log(sum);
                double all = 0, target = ignored ? 0 : row.f[(int) t] - lse;
                for (int j = 0; j < c; j++) {
                    double lp = row.f[j] - lse;
                    all += lp;
                    row.f[j] = (float) lp;
                }
                row.write(logProbs, base, inner, c);
                double loss = 0;
                if (!ignored) {
                    loss = -(1 - smooth) * target;
                    // skipped when s == 0 so a -inf log-probability elsewhere cannot turn 0 * -inf into NaN
                    if (smooth > 0) loss -= (smooth / c) * all;
                }
                losses.setAtIndex(F, p, (float) loss);
                if (counted != null) counted.setAtIndex(F, p, ignored ? 0f : 1f);
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
            Row row = Row.of(c);
            for (long p = st; p < e; p++) {
                long base = (p / inner) * c * inner + p % inner;
                long t = target(s, targets, p);
                if (t == s.ignoreIndex()) {
                    java.util.Arrays.fill(row.f, 0, c, 0f);
                    row.write(gradLogits, base, inner, c);
                    continue;
                }
                double g = gradLoss.getAtIndex(F, p);
                row.read(logProbs, base, inner, c);
                for (int j = 0; j < c; j++) row.d[j] = row.f[j];
                RowOps.get().expNonPositive(row.d, 0, c);
                for (int j = 0; j < c; j++) {
                    double q = (j == t ? 1 - smooth : 0) + smooth / c;
                    row.f[j] = (float) (g * (row.d[j] - q));
                }
                row.write(gradLogits, base, inner, c);
            }
        });
    }

    /** One position's classes on the heap (strided by {@code inner} in the tensor), and a double row for the exponentials. */
    private static final class Row {
        private static final ThreadLocal<Row> HELD = ThreadLocal.withInitial(Row::new);
        float[] f = new float[0];
        double[] d = new double[0];

        /** This thread's row, at least {@code c} long. */
        static Row of(int c) {
            Row r = HELD.get();
            if (r.f.length < c) {
                r.f = new float[c];
                r.d = new double[c];
            }
            return r;
        }

        void read(MemorySegment src, long base, int inner, int c) {
            if (inner == 1) MemorySegment.copy(src, F, base * Float.BYTES, f, 0, c);
            else for (int j = 0; j < c; j++) f[j] = src.getAtIndex(F, base + (long) j * inner);
        }

        void write(MemorySegment dst, long base, int inner, int c) {
            if (inner == 1) MemorySegment.copy(f, 0, dst, F, base * Float.BYTES, c);
            else for (int j = 0; j < c; j++) dst.setAtIndex(F, base + (long) j * inner, f[j]);
        }
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
