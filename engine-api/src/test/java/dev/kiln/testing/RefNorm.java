package dev.kiln.testing;

/**
 * Float64 reference for batch normalisation over [N, C] or [N, C, H, W], per channel:
 * {@code y = (x - mean) / sqrt(var + eps) * gamma + beta} with the biased batch variance in
 * training, and PyTorch's running-statistics update (unbiased variance, momentum weighting).
 */
public final class RefNorm {
    private RefNorm() {}

    /** Per-channel mean and biased variance of x. */
    public record Stats(double[] mean, double[] var, long count) {
        /** The unbiased variance {@code var * count / (count - 1)}. */
        public double unbiased(int ch) {
            return var[ch] * count / (count - 1);
        }
    }

    /** Batch statistics per channel (axis 1). */
    public static Stats stats(Nd x) {
        int c = x.dim(1), spatial = x.rank() == 4 ? x.dim(2) * x.dim(3) : 1, n = x.dim(0);
        double[] mean = new double[c], var = new double[c];
        long count = (long) n * spatial;
        for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int b = 0; b < n; b++) for (int p = 0; p < spatial; p++) s += x.at((b * c + ch) * spatial + p);
            mean[ch] = s / count;
            double q = 0;
            for (int b = 0; b < n; b++) {
                for (int p = 0; p < spatial; p++) {
                    double dlt = x.at((b * c + ch) * spatial + p) - mean[ch];
                    q += dlt * dlt;
                }
            }
            var[ch] = q / count;
        }
        return new Stats(mean, var, count);
    }

    /** Normalises x with the given per-channel mean and variance; gamma/beta may be null (1 and 0). */
    public static Nd normalise(Nd x, double[] mean, double[] var, Nd gamma, Nd beta, double eps) {
        int c = x.dim(1), spatial = x.rank() == 4 ? x.dim(2) * x.dim(3) : 1;
        Nd y = Nd.zeros(x.shape());
        for (int i = 0; i < x.numel(); i++) {
            int ch = (i / spatial) % c;
            double g = gamma == null ? 1 : gamma.at(ch), b = beta == null ? 0 : beta.at(ch);
            y.data()[i] = (x.at(i) - mean[ch]) / Math.sqrt(var[ch] + eps) * g + b;
        }
        return y;
    }

    /** Training mode: batch statistics. */
    public static Nd train(Nd x, Nd gamma, Nd beta, double eps) {
        Stats s = stats(x);
        return normalise(x, s.mean(), s.var(), gamma, beta, eps);
    }

    /** Eval mode: running statistics. */
    public static Nd eval(Nd x, Nd runningMean, Nd runningVar, Nd gamma, Nd beta, double eps) {
        return normalise(x, runningMean.data(), runningVar.data(), gamma, beta, eps);
    }
}
