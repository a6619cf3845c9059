package dev.kiln.nn.gpt;

import dev.kiln.tensor.Generator;
import java.util.Arrays;

/**
 * Picks the next token from one row of logits on the host, by the rules documented on
 * {@link GenerationOptions}: greedy, temperature, top-k, top-p, then inverse-CDF sampling. Public
 * (for tests and custom decoding loops); stateless apart from the generator it is given.
 */
public final class Sampler {
    private Sampler() {}

    /**
     * The next token.
     *
     * @param logits    one position's logits, one per token id (not modified)
     * @param options   temperature, top-k and top-p
     * @param generator the sampling stream; one number is drawn unless the temperature is 0
     * @return a token id in {@code [0, logits.length)}
     * @throws IllegalArgumentException if {@code logits} is empty
     */
    public static int next(float[] logits, GenerationOptions options, Generator generator) {
        if (logits.length == 0) throw new IllegalArgumentException("Sampler: logits must not be empty");
        if (options.temperature() == 0f) return argmax(logits);
        double[] p = probabilities(logits, options);
        double total = 0;
        for (double x : p) total += x;
        double u = generator.nextFloat() * total;
        double cum = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == 0) continue;
            cum += p[i];
            last = i;
            if (u < cum) return i;
        }
        return last; // u rounded up to the total: the last kept token
    }

    /**
     * The distribution {@link #next} samples from when the temperature is above 0: the softmax of
     * {@code logits / temperature} restricted to what top-k and top-p keep, renormalised; 0 for the
     * tokens they drop.
     *
     * @param logits  one position's logits
     * @param options temperature (above 0), top-k and top-p
     * @return a probability per token id, summing to 1
     */
    public static double[] probabilities(float[] logits, GenerationOptions options) {
        int v = logits.length;
        double[] z = new double[v];
        for (int i = 0; i < v; i++) z[i] = (double) logits[i] / options.temperature();
        if (options.topK() > 0 && options.topK() < v) {
            double[] sorted = z.clone();
            Arrays.sort(sorted);
            double kth = sorted[v - options.topK()];
            for (int i = 0; i < v; i++) if (z[i] < kth) z[i] = Double.NEGATIVE_INFINITY;
        }
        double[] p = softmax(z);
        if (options.topP() < 1f) {
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
            double cum = 0;
            int kept = 0;
            while (kept < v && cum < options.topP()) cum += p[order[kept++]];
            for (int r = kept; r < v; r++) p[order[r]] = 0;
            double sum = 0;
            for (double x : p) sum += x;
            for (int i = 0; i < v; i++) p[i] /= sum;
        }
        return p;
    }

    private static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : z) max = Math.max(max, x);
        double[] p = new double[z.length];
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) p[i] /= sum;
        return p;
    }

    /** {@return the index of the largest logit, the lowest among equals} NaN logits are never picked over numbers. */
    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best] || Float.isNaN(logits[best])) best = i;
        return best;
    }
}
