package dev.kiln.testing;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Float64 references for elementwise maths, reductions and matrix products: plain loops over
 * multi-indices, written from the definitions (NumPy broadcasting, PyTorch's op semantics),
 * independent of Kiln's code.
 */
public final class RefMath {
    private RefMath() {}

    /** NumPy broadcast of two shapes (right-aligned; equal, or one of them 1). */
    public static int[] broadcastShape(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da == db || db == 1) out[i] = da;
            else if (da == 1) out[i] = db;
            else throw new IllegalArgumentException("not broadcastable");
        }
        return out;
    }

    /** {@code f(a, b)} elementwise with broadcasting. */
    public static Nd binary(Nd a, Nd b, DoubleBinaryOperator f) {
        int[] out = broadcastShape(a.shape(), b.shape());
        Nd y = Nd.zeros(out);
        for (int i = 0; i < y.numel(); i++) {
            int[] idx = y.unravel(i);
            y.data()[i] = f.applyAsDouble(a.at(sourceIndex(a, idx)), b.at(sourceIndex(b, idx)));
        }
        return y;
    }

    /** Flat index into {@code a} of the output multi-index {@code idx} (broadcast dims read index 0). */
    private static int sourceIndex(Nd a, int[] idx) {
        int lead = idx.length - a.rank();
        int flat = 0;
        for (int d = 0; d < a.rank(); d++) flat = flat * a.dim(d) + (a.dim(d) == 1 ? 0 : idx[d + lead]);
        return flat;
    }

    /** {@code f(x)} elementwise. */
    public static Nd map(Nd x, DoubleUnaryOperator f) {
        Nd y = Nd.zeros(x.shape());
        for (int i = 0; i < x.numel(); i++) y.data()[i] = f.applyAsDouble(x.at(i));
        return y;
    }

    /** max(x, 0). */
    public static double relu(double x) {
        return x > 0 ? x : 0;
    }

    /** 1 / (1 + e^-x). */
    public static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** Exact GELU: {@code x * Phi(x) = x/2 * (1 + erf(x / sqrt 2))}. */
    public static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /**
     * erf by its Maclaurin series {@code 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))}. The
     * alternating terms cancel, so it is only used for |x| <= 3, where at most ~3 of 16 digits
     * are lost.
     */
    public static double erf(double x) {
        if (Math.abs(x) > 3) throw new IllegalArgumentException("reference erf is only accurate for |x| <= 3, got " + x);
        double term = x, sum = x;
        for (int n = 1; n < 200; n++) {
            term *= -x * x / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-18) break;
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    /** Sum over {@code axes} (none: all); reduced axes kept as 1 when {@code keepDim}, dropped otherwise. */
    public static Nd sum(Nd x, boolean keepDim, int... axes) {
        int rank = x.rank();
        boolean[] reduce = new boolean[rank];
        if (axes.length == 0) java.util.Arrays.fill(reduce, true);
        for (int a : axes) reduce[a < 0 ? a + rank : a] = true;
        int[] kept = x.shape();
        int dropped = 0;
        for (int d = 0; d < rank; d++) {
            if (reduce[d]) {
                kept[d] = 1;
                dropped++;
            }
        }
        Nd y = Nd.zeros(kept);
        for (int i = 0; i < x.numel(); i++) {
            int[] idx = x.unravel(i);
            int flat = 0;
            for (int d = 0; d < rank; d++) flat = flat * kept[d] + (reduce[d] ? 0 : idx[d]);
            y.data()[flat] += x.at(i);
        }
        if (keepDim) return y;
        int[] out = new int[rank - dropped];
        for (int d = 0, k = 0; d < rank; d++) if (!reduce[d]) out[k++] = kept[d];
        return new Nd(out, y.data());
    }

    /** Mean over {@code axes}, shapes as {@link #sum}. */
    public static Nd mean(Nd x, boolean keepDim, int... axes) {
        Nd s = sum(x, keepDim, axes);
        double count = (double) x.numel() / s.numel();
        return map(s, v -> v / count);
    }

    /** 2-D transpose. */
    public static Nd transpose(Nd a) {
        int m = a.dim(0), n = a.dim(1);
        Nd t = Nd.zeros(n, m);
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) t.data()[j * m + i] = a.at(i * n + j);
        return t;
    }

    /**
     * Matrix product with PyTorch's rank rules for 2-D and 3-D operands: a 2-D operand is
     * shared by every batch entry of a 3-D one.
     */
    public static Nd matmul(Nd a, Nd b) {
        boolean aB = a.rank() == 3, bB = b.rank() == 3;
        int batch = aB ? a.dim(0) : bB ? b.dim(0) : 1;
        int m = a.dim(a.rank() - 2), k = a.dim(a.rank() - 1), n = b.dim(b.rank() - 1);
        Nd y = (aB || bB) ? Nd.zeros(batch, m, n) : Nd.zeros(m, n);
        for (int q = 0; q < batch; q++) {
            int ao = aB ? q * m * k : 0, bo = bB ? q * k * n : 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += a.at(ao + i * k + p) * b.at(bo + p * n + j);
                    y.data()[q * m * n + i * n + j] = s;
                }
            }
        }
        return y;
    }

    /** {@code x[..., in] @ w[out, in]^T + bias[out]} (bias may be null). */
    public static Nd linear(Nd x, Nd w, Nd bias) {
        int in = w.dim(1), out = w.dim(0), rows = x.numel() / in;
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        Nd y = Nd.zeros(shape);
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = bias == null ? 0 : bias.at(o);
                for (int i = 0; i < in; i++) s += x.at(r * in + i) * w.at(o * in + i);
                y.data()[r * out + o] = s;
            }
        }
        return y;
    }
}
