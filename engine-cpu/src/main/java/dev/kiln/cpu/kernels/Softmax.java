package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.SoftmaxSpec;
import java.lang.foreign.MemorySegment;

/**
 * Softmax and log-softmax over the middle axis of {@code [outer, dim, inner]}, with the maximum
 * subtracted and the sums kept in double. Each line {@code (o, i)} is computed by one task in a
 * fixed order.
 */
public final class Softmax {
    private Softmax() {}

    /** {@code y = softmax(x)} or {@code log_softmax(x)} along dim. */
    public static void forward(CpuThreadPool pool, SoftmaxSpec s, MemorySegment x, MemorySegment y) {
        int dim = s.dim(), inner = s.inner();
        pool.parallelRange((long) s.outer() * inner, Math.max(1, Elementwise.GRAIN / dim), (st, e) -> {
            for (long line = st; line < e; line++) {
                long base = (line / inner) * dim * inner + line % inner;
                float max = Float.NEGATIVE_INFINITY;
                for (int d = 0; d < dim; d++) max = Math.max(max, x.getAtIndex(JAVA_FLOAT, base + (long) d * inner));
                double shift = max;
                double sum = 0;
                for (int d = 0; d < dim; d++) sum += Math.exp(x.getAtIndex(JAVA_FLOAT, base + (long) d * inner) - shift);
                double logSum = Math.log(sum);
                for (int d = 0; d < dim; d++) {
                    long at = base + (long) d * inner;
                    double z = x.getAtIndex(JAVA_FLOAT, at) - shift;
                    y.setAtIndex(JAVA_FLOAT, at, (float) (s.log() ? z - logSum : Math.exp(z) / sum));
                }
            }
        });
    }

    /**
     * {@code gx} from the forward output {@code y}: softmax {@code y*(gy - sum(gy*y))}, log-softmax
     * {@code gy - exp(y)*sum(gy)}.
     */
    public static void backward(CpuThreadPool pool, SoftmaxSpec s, MemorySegment y, MemorySegment gy, MemorySegment gx) {
        int dim = s.dim(), inner = s.inner();
        pool.parallelRange((long) s.outer() * inner, Math.max(1, Elementwise.GRAIN / dim), (st, e) -> {
            for (long line = st; line < e; line++) {
                long base = (line / inner) * dim * inner + line % inner;
                double dot = 0;
                for (int d = 0; d < dim; d++) {
                    long at = base + (long) d * inner;
                    double g = gy.getAtIndex(JAVA_FLOAT, at);
                    dot += s.log() ? g : g * y.getAtIndex(JAVA_FLOAT, at);
                }
                for (int d = 0; d < dim; d++) {
                    long at = base + (long) d * inner;
                    double g = gy.getAtIndex(JAVA_FLOAT, at), v = y.getAtIndex(JAVA_FLOAT, at);
                    gx.setAtIndex(JAVA_FLOAT, at, (float) (s.log() ? g - Math.exp(v) * dot : v * (g - dot)));
                }
            }
        });
    }
}
