package dev.kiln.testing;

import java.util.Arrays;

/**
 * float64 references of issue 11's batched matmul and value/index reductions, written as plain
 * loops over PyTorch's definitions (independent of Kiln's [outer, dim, inner] views and GEMM folds).
 */
final class RefSelect {
    private RefSelect() {}

    /** torch.matmul: 1-D operands promoted to a row / column and dropped, batch dims broadcast. */
    static Nd matmul(Nd a, Nd b) {
        int[] as = a.rank() == 1 ? new int[] {1, a.dim(0)} : a.shape();
        int[] bs = b.rank() == 1 ? new int[] {b.dim(0), 1} : b.shape();
        int m = as[as.length - 2], k = as[as.length - 1], n = bs[bs.length - 1];
        int[] batch = RefMath.broadcastShape(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
        int total = 1;
        for (int d : batch) total *= d;
        double[] out = new double[total * m * n];
        for (int q = 0; q < total; q++) {
            int[] idx = unravel(q, batch);
            int ao = batchOffset(idx, as) * m * k, bo = batchOffset(idx, bs) * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += a.at(ao + i * k + p) * b.at(bo + p * n + j);
                    out[(q * m + i) * n + j] = s;
                }
            }
        }
        int[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = m;
        shape[batch.length + 1] = n;
        if (a.rank() == 1 || b.rank() == 1) {
            int[] full = shape;
            shape = java.util.stream.IntStream.range(0, full.length)
                    .filter(i -> !(i == full.length - 2 && a.rank() == 1) && !(i == full.length - 1 && b.rank() == 1))
                    .map(i -> full[i]).toArray();
        }
        return new Nd(shape, out);
    }

    /** Swaps the last two dimensions. */
    static Nd transposeLast(Nd x) {
        int[] s = x.shape();
        int r = s.length, rows = s[r - 2], cols = s[r - 1], mats = x.numel() / Math.max(1, rows * cols);
        int[] t = s.clone();
        t[r - 2] = cols;
        t[r - 1] = rows;
        Nd y = Nd.zeros(t);
        for (int q = 0; q < mats; q++) {
            for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) y.data()[q * rows * cols + j * rows + i] = x.at(q * rows * cols + i * cols + j);
        }
        return y;
    }

    /** Row-major index of batch position {@code idx} in an operand whose batch dims (all but the last two) broadcast to it. */
    private static int batchOffset(int[] idx, int[] shape) {
        int lead = idx.length - (shape.length - 2), off = 0;
        for (int d = 0; d < shape.length - 2; d++) off = off * shape[d] + (shape[d] == 1 ? 0 : idx[lead + d]);
        return off;
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    /**
     * The k largest (or smallest) values along {@code dim} in order (k = 1 with {@code drop} is max
     * or min without keepdim); values only, for the forward and finite-difference checks.
     */
    static Nd select(Nd x, int dim, int k, boolean largest, boolean drop) {
        int[] s = x.shape();
        int d = dim < 0 ? dim + s.length : dim;
        int outer = 1, inner = 1, n = s[d];
        for (int i = 0; i < d; i++) outer *= s[i];
        for (int i = d + 1; i < s.length; i++) inner *= s[i];
        double[] out = new double[outer * k * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double[] line = new double[n];
                for (int j = 0; j < n; j++) line[j] = x.at((o * n + j) * inner + i);
                Arrays.sort(line);
                for (int j = 0; j < k; j++) out[(o * k + j) * inner + i] = largest ? line[n - 1 - j] : line[j];
            }
        }
        int[] shape = s.clone();
        shape[d] = k;
        if (drop) shape = java.util.stream.IntStream.range(0, s.length).filter(i -> i != d).map(i -> s[i]).toArray();
        return new Nd(shape, out);
    }

    /** log(sum(exp(x))) along dim, in float64 with the maximum subtracted. */
    static Nd logsumexp(Nd x, int dim, boolean keepDim) {
        Nd max = select(x, dim, 1, true, false);
        Nd shifted = RefMath.binary(x, max, (v, m) -> Math.exp(v - m));
        Nd sums = RefMath.sum(shifted, true, dim);
        Nd out = RefMath.binary(sums, max, (sum, m) -> Math.log(sum) + m);
        if (keepDim) return out;
        int[] s = x.shape();
        int d = dim < 0 ? dim + s.length : dim;
        return new Nd(java.util.stream.IntStream.range(0, s.length).filter(i -> i != d).map(i -> s[i]).toArray(), out.data());
    }
}
