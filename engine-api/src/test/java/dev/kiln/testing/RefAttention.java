package dev.kiln.testing;

import dev.kiln.spi.Philox;

/**
 * Float64 scaled dot-product attention written from the definition, one (batch, query) row at a
 * time: scores {@code scale * q_i . k_j + mask_ij} (or {@code -inf} above the diagonal when causal),
 * a softmax that gives zeros for a row of only {@code -inf} (PyTorch's {@code _safe_softmax}), an
 * optional dropout weight per score, then the weighted sum of values.
 */
final class RefAttention {
    private RefAttention() {}

    /** No dropout. */
    static Nd sdpa(Nd q, Nd k, Nd v, Nd mask, boolean causal, double scale) {
        return sdpa(q, k, v, mask, causal, scale, 0f, 0L);
    }

    /**
     * Attention with the dropout weights of a fresh Philox stream {@code seed} (position 0): score
     * (b, i, j) is kept, times {@code 1/(1-p)}, when {@code Philox.uniform(seed, (b*L + i)*S + j) >= p}.
     *
     * @param mask  additive mask broadcastable to [..., L, S], or null
     * @param scale NaN for {@code 1/sqrt(E)}
     */
    static Nd sdpa(Nd q, Nd k, Nd v, Nd mask, boolean causal, double scale, float p, long seed) {
        int rank = q.rank();
        int lq = q.dim(rank - 2), e = q.dim(rank - 1), lk = k.dim(rank - 2), ev = v.dim(rank - 1);
        int batch = count(q.shape(), rank - 2);
        double sc = Double.isNaN(scale) ? 1.0 / Math.sqrt(e) : scale;
        int[] outShape = q.shape().clone();
        outShape[rank - 1] = ev;
        Nd out = Nd.zeros(outShape);
        int[] full = q.shape().clone();
        full[rank - 1] = lk;
        double[] s = new double[lk];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < lq; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < lk; j++) {
                    double dot = 0;
                    for (int x = 0; x < e; x++) dot += q.at((b * lq + i) * e + x) * k.at((b * lk + j) * e + x);
                    s[j] = causal && j > i ? Double.NEGATIVE_INFINITY : sc * dot + maskAt(mask, full, b, i, j);
                    max = Math.max(max, s[j]);
                }
                if (max == Double.NEGATIVE_INFINITY) continue; // fully masked: zeros
                double sum = 0;
                for (int j = 0; j < lk; j++) sum += Math.exp(s[j] - max);
                for (int j = 0; j < lk; j++) {
                    double w = Math.exp(s[j] - max) / sum * keep(p, seed, ((long) b * lq + i) * lk + j);
                    for (int x = 0; x < ev; x++) out.data()[(b * lq + i) * ev + x] += w * v.at((b * lk + j) * ev + x);
                }
            }
        }
        return out;
    }

    private static int count(int[] shape, int n) {
        int c = 1;
        for (int d = 0; d < n; d++) c *= shape[d];
        return c;
    }

    /** The dropout weight of stream element {@code index}: 0 or {@code 1/(1-p)} (1 without dropout). */
    static double keep(float p, long seed, long index) {
        if (p == 0f) return 1;
        return Philox.uniform(seed, index) >= p ? 1.0 / (1.0 - p) : 0;
    }

    /** Mask element for score (b, i, j) of scores shaped {@code full} ([lead..., L, S]), by right-aligned broadcasting. */
    private static double maskAt(Nd mask, int[] full, int b, int i, int j) {
        if (mask == null) return 0;
        int rank = full.length, mr = mask.rank();
        int[] index = new int[rank];
        index[rank - 1] = j;
        index[rank - 2] = i;
        for (int d = rank - 3; d >= 0; d--) {
            index[d] = b % full[d];
            b /= full[d];
        }
        int flat = 0;
        for (int d = 0; d < mr; d++) {
            int size = mask.dim(d);
            flat = flat * size + (size == 1 ? 0 : index[rank - mr + d]);
        }
        return mask.at(flat);
    }
}
