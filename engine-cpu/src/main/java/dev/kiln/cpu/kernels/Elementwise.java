package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.Broadcast;
import dev.kiln.spi.ScalarOp;
import dev.kiln.spi.UnaryOp;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Elementwise unary, binary (broadcasting) and scalar kernels over float32 segments. Each
 * element is computed independently, so outputs may alias inputs and any split is deterministic.
 * Transcendental functions are evaluated in double and rounded once.
 */
public final class Elementwise {
    /** Unaligned access: an aligned layout costs an alignment check per element in these scalar loops. */
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Elements per task: large enough to amortise the hand-off. */
    static final long GRAIN = 1 << 15;
    private static final double INV_SQRT_2PI = 0.3989422804014327;
    /** {@code sqrt(2 / pi)}, the scale inside GELU's tanh approximation. */
    private static final double SQRT_2_OVER_PI = 0.7978845608028654;
    /** The cubic coefficient of GELU's tanh approximation. */
    private static final double GELU_KAPPA = 0.044715;

    private Elementwise() {}

    /** {@code out[i] = f(x[i])} for {@code numel} elements. */
    public static void unary(CpuThreadPool pool, UnaryOp op, float alpha, MemorySegment x, MemorySegment out, long numel) {
        if (op == UnaryOp.RELU) {
            pool.parallelRange(numel, GRAIN, (s, e) -> Activations.relu(x, out, s, e));
            return;
        }
        if (op == UnaryOp.GELU) { // a loop of its own: the switch per element costs, and Phi comes from a table
            pool.parallelRange(numel, GRAIN, (s, e) -> NormalCdf.gelu(x, out, s, e));
            return;
        }
        pool.parallelRange(numel, GRAIN, (s, e) -> {
            for (long i = s; i < e; i++) out.setAtIndex(F, i, apply(op, alpha, x.getAtIndex(F, i)));
        });
    }

    /** f(v) for one element. */
    static float apply(UnaryOp op, float alpha, float v) {
        return switch (op) {
            case RELU -> v > 0 ? v : 0f;
            case LEAKY_RELU -> v > 0 ? v : v * alpha;
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-(double) v)));
            case TANH -> (float) Math.tanh(v);
            case GELU -> (float) (v * NormalCdf.phi(v));
            case EXP -> (float) Math.exp(v);
            case LOG -> (float) Math.log(v);
            case NEG -> -v;
            case SQRT -> (float) Math.sqrt(v);
            case ABS -> Math.abs(v);
            case SIN -> (float) Math.sin(v);
            case COS -> (float) Math.cos(v);
            case RSQRT -> (float) (1.0 / Math.sqrt(v));
            case SILU -> (float) (v / (1.0 + Math.exp(-(double) v)));
            case GELU_TANH -> (float) (0.5 * v * (1.0 + Math.tanh(geluTanhInner(v))));
            // Comparisons (not Math.max) so NaN passes through, as torch.clamp does.
            case CLAMP_MIN -> v < alpha ? alpha : v;
            case CLAMP_MAX -> v > alpha ? alpha : v;
        };
    }

    /** {@code gradIn[i] = gradOut[i] * f'(x[i])}, using {@code y = f(x)} where the derivative is cheaper from it. */
    public static void unaryBackward(CpuThreadPool pool, UnaryOp op, float alpha, MemorySegment x, MemorySegment y,
                                     MemorySegment gy, MemorySegment gx, long numel) {
        if (op == UnaryOp.RELU) {
            pool.parallelRange(numel, GRAIN, (s, e) -> Activations.reluBackward(x, gy, gx, s, e));
            return;
        }
        if (op == UnaryOp.GELU) {
            pool.parallelRange(numel, GRAIN, (s, e) -> NormalCdf.geluBackward(x, gy, gx, s, e));
            return;
        }
        pool.parallelRange(numel, GRAIN, (s, e) -> {
            for (long i = s; i < e; i++) {
                float g = gy.getAtIndex(F, i);
                gx.setAtIndex(F, i, derivative(op, alpha, x, y, i, g));
            }
        });
    }

    private static float derivative(UnaryOp op, float alpha, MemorySegment x, MemorySegment y, long i, float g) {
        return switch (op) {
            case RELU -> x.getAtIndex(F, i) > 0 ? g : 0f;
            case LEAKY_RELU -> x.getAtIndex(F, i) > 0 ? g : g * alpha;
            case SIGMOID -> {
                double v = y.getAtIndex(F, i);
                yield (float) (g * v * (1.0 - v));
            }
            case TANH -> {
                double v = y.getAtIndex(F, i);
                yield (float) (g * (1.0 - v * v));
            }
            case GELU -> {
                double v = x.getAtIndex(F, i);
                double e = ScalarRowOps.expNonPositive(-0.5 * v * v); // as NormalCdf.geluBackward, bit for bit
                yield (float) (g * (NormalCdf.phi(v, e) + v * INV_SQRT_2PI * e));
            }
            case EXP -> g * y.getAtIndex(F, i);
            case LOG -> g / x.getAtIndex(F, i);
            case NEG -> -g;
            case SQRT -> (float) (g * 0.5 / y.getAtIndex(F, i));
            case ABS -> {
                float v = x.getAtIndex(F, i);
                yield v > 0 ? g : v < 0 ? -g : 0f;
            }
            case SIN -> (float) (g * Math.cos(x.getAtIndex(F, i)));
            case COS -> (float) (-g * Math.sin(x.getAtIndex(F, i)));
            case RSQRT -> {
                double v = y.getAtIndex(F, i);
                yield (float) (-0.5 * g * v * v * v);
            }
            case SILU -> {
                double v = x.getAtIndex(F, i);
                double s = 1.0 / (1.0 + Math.exp(-v));
                yield (float) (g * s * (1.0 + v * (1.0 - s)));
            }
            case GELU_TANH -> {
                double v = x.getAtIndex(F, i);
                double t = Math.tanh(geluTanhInner(v));
                double inner = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_KAPPA * v * v);
                yield (float) (g * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * inner));
            }
            case CLAMP_MIN -> x.getAtIndex(F, i) >= alpha ? g : 0f;
            case CLAMP_MAX -> x.getAtIndex(F, i) <= alpha ? g : 0f;
        };
    }

    /** {@code sqrt(2/pi) (x + 0.044715 x^3)}, the argument of tanh in GELU's approximation. */
    private static double geluTanhInner(double v) {
        return SQRT_2_OVER_PI * (v + GELU_KAPPA * v * v * v);
    }

    /** Shortest last dimension for {@link #rowwise}. */
    static final int ROW_MIN = 16;

    /**
     * The broadcast case where a's last dimension is contiguous and b's is contiguous or repeated
     * (a linear layer's bias, a per-row scale): one tight loop per output row, the op chosen once
     * per row, instead of the index odometer per element. Same arithmetic, same bits.
     */
    private static void rowwise(CpuThreadPool pool, BinaryOp op, int[] shape, long[] as, long[] bs,
                                MemorySegment a, MemorySegment b, MemorySegment out) {
        int rank = shape.length, cols = shape[rank - 1];
        long rows = 1;
        for (int d = 0; d < rank - 1; d++) rows *= shape[d];
        boolean bRepeats = bs[rank - 1] == 0;
        pool.parallelRange(rows, Math.max(1, GRAIN / cols), (s, e) -> {
            for (long r = s; r < e; r++) {
                long rem = r, ao = 0, bo = 0;
                for (int d = rank - 2; d >= 0; d--) {
                    long i = rem % shape[d];
                    rem /= shape[d];
                    ao += i * as[d];
                    bo += i * bs[d];
                }
                long o = r * cols;
                if (bRepeats) {
                    float bv = b.getAtIndex(F, bo);
                    for (int j = 0; j < cols; j++) out.setAtIndex(F, o + j, apply(op, a.getAtIndex(F, ao + j), bv));
                } else if (op == BinaryOp.ADD) {
                    // Through heap copies: out may alias a, so C2 will not vectorise the segment loop.
                    float[] ra = Workspace.array(Workspace.Heap.ROW_A, cols), rb = Workspace.array(Workspace.Heap.ROW_B, cols);
                    MemorySegment.copy(a, JAVA_FLOAT, ao * Float.BYTES, ra, 0, cols);
                    MemorySegment.copy(b, JAVA_FLOAT, bo * Float.BYTES, rb, 0, cols);
                    for (int j = 0; j < cols; j++) ra[j] += rb[j];
                    MemorySegment.copy(ra, 0, out, JAVA_FLOAT, o * Float.BYTES, cols);
                } else {
                    for (int j = 0; j < cols; j++) {
                        out.setAtIndex(F, o + j, apply(op, a.getAtIndex(F, ao + j), b.getAtIndex(F, bo + j)));
                    }
                }
            }
        });
    }

    /** {@code out = a (op) b} with the index arithmetic of {@code spec}; {@code out} may alias a or b. */
    public static void binary(CpuThreadPool pool, BinaryOp op, Broadcast spec, MemorySegment a, MemorySegment b, MemorySegment out) {
        long n = spec.numel();
        if (spec.isElementwise()) { // residual adds, gradient accumulation, gates
            pool.parallelRange(n, GRAIN, (s, e) -> sameShape(op, a, b, out, s, e));
            return;
        }
        int[] shape = spec.outShape();
        long[] as = spec.aStrides(), bs = spec.bStrides();
        int rank = shape.length;
        if (rank >= 2 && shape[rank - 1] >= ROW_MIN && as[rank - 1] == 1 && (bs[rank - 1] == 1 || bs[rank - 1] == 0)) {
            rowwise(pool, op, shape, as, bs, a, b, out);
            return;
        }
        pool.parallelRange(n, GRAIN, (s, e) -> {
            // Odometer over the output index: offsets into a and b follow incrementally.
            int[] idx = new int[rank];
            long rem = s, ao = 0, bo = 0;
            for (int d = rank - 1; d >= 0; d--) {
                idx[d] = (int) (rem % shape[d]);
                rem /= shape[d];
                ao += idx[d] * as[d];
                bo += idx[d] * bs[d];
            }
            for (long i = s; i < e; i++) {
                out.setAtIndex(F, i, apply(op, a.getAtIndex(F, ao), b.getAtIndex(F, bo)));
                for (int d = rank - 1; d >= 0; d--) {
                    ao += as[d];
                    bo += bs[d];
                    if (++idx[d] < shape[d]) break;
                    ao -= as[d] * shape[d];
                    bo -= bs[d] * shape[d];
                    idx[d] = 0;
                }
            }
        });
    }

    /** Elements per heap block of {@link #sameShape}. */
    private static final int BLOCK = 2048;

    /**
     * {@code out[i] = a[i] (op) b[i]} for i in [s, e), a block at a time through heap copies, the op
     * chosen once per block: in arrays C2 vectorises the loop, which it does not do over segments
     * that may alias. The same float operation per element, so the same bits.
     */
    private static void sameShape(BinaryOp op, MemorySegment a, MemorySegment b, MemorySegment out, long s, long e) {
        float[] ra = Workspace.array(Workspace.Heap.ROW_A, BLOCK), rb = Workspace.array(Workspace.Heap.ROW_B, BLOCK);
        for (long blk = s; blk < e; blk += BLOCK) {
            int n = (int) Math.min(BLOCK, e - blk);
            long at = blk * Float.BYTES;
            MemorySegment.copy(a, F, at, ra, 0, n);
            MemorySegment.copy(b, F, at, rb, 0, n);
            switch (op) {
                case ADD -> {
                    for (int i = 0; i < n; i++) ra[i] += rb[i];
                }
                case SUB -> {
                    for (int i = 0; i < n; i++) ra[i] -= rb[i];
                }
                case MUL -> {
                    for (int i = 0; i < n; i++) ra[i] *= rb[i];
                }
                case DIV -> {
                    for (int i = 0; i < n; i++) ra[i] /= rb[i];
                }
                default -> {
                    for (int i = 0; i < n; i++) ra[i] = apply(op, ra[i], rb[i]);
                }
            }
            MemorySegment.copy(ra, 0, out, F, at, n);
        }
    }

    private static float apply(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
        };
    }

    /** {@code out = x (op) s}; {@code out} may alias x. */
    public static void scalar(CpuThreadPool pool, ScalarOp op, MemorySegment x, float s, MemorySegment out, long numel) {
        pool.parallelRange(numel, GRAIN, (st, e) -> {
            // Blocks through a heap copy, the op chosen once per block (as sameShape, for the same reason).
            float[] r = Workspace.array(Workspace.Heap.ROW_A, BLOCK);
            for (long blk = st; blk < e; blk += BLOCK) {
                int n = (int) Math.min(BLOCK, e - blk);
                long at = blk * Float.BYTES;
                MemorySegment.copy(x, F, at, r, 0, n);
                switch (op) {
                    case ADD -> {
                        for (int i = 0; i < n; i++) r[i] += s;
                    }
                    case MUL -> {
                        for (int i = 0; i < n; i++) r[i] *= s;
                    }
                    case POW -> {
                        for (int i = 0; i < n; i++) r[i] = (float) Math.pow(r[i], s);
                    }
                    case RSUB -> {
                        for (int i = 0; i < n; i++) r[i] = s - r[i];
                    }
                    case RDIV -> {
                        for (int i = 0; i < n; i++) r[i] = s / r[i];
                    }
                    default -> throw new IllegalStateException("scalar op " + op);
                }
                MemorySegment.copy(r, 0, out, F, at, n);
            }
        });
    }
}
