package dev.kiln.train;

import dev.kiln.tensor.Tensor;
import java.util.Objects;

/**
 * A figure a {@link Trainer} or the {@link Evaluator} reports besides the loss, accumulated over
 * the batches of an epoch as a ratio of sums: each batch gives a {@link Score} (a total and the
 * number of things it counts), and the metric's value is the sum of the totals over the sum of
 * the counts (so it is exact over a whole epoch, whatever the batch sizes). Accuracy
 * ({@link #accuracy()}) is the default for classifiers; {@link #tokenAccuracy(long)} counts only
 * the positions a sequence model is scored on.
 */
public interface Metric {
    /**
     * A batch's contribution.
     *
     * @param total the sum of the per-item values (e.g. correct predictions)
     * @param count how many items the total is over (e.g. predictions scored)
     */
    record Score(double total, long count) {
        /**
         * Checks the count.
         *
         * @throws IllegalArgumentException if {@code count} is negative
         */
        public Score {
            if (count < 0) throw new IllegalArgumentException("Metric.Score: count must be >= 0, got " + count);
        }
    }

    /** {@return the name the metric is reported under (letters, digits, '_', '-' and '.'), e.g. {@code accuracy}} */
    String name();

    /**
     * Scores one batch (called without gradient recording).
     *
     * @param output the model's output for the batch
     * @param target the batch's target
     * @return the batch's total and count
     * @throws IllegalArgumentException if the output and target do not fit the metric
     */
    Score score(Tensor output, Tensor target);

    /**
     * {@return a metric called {@code name} scoring batches with {@code score}}
     *
     * @param name  the reported name (letters, digits, '_', '-' and '.')
     * @param score the batch scores
     * @throws IllegalArgumentException if the name is empty or has other characters
     */
    static Metric of(String name, java.util.function.BiFunction<Tensor, Tensor, Score> score) {
        checkName(name);
        Objects.requireNonNull(score, "score");
        return new Metric() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Score score(Tensor output, Tensor target) {
                return score.apply(output, target);
            }
        };
    }

    /**
     * Classification accuracy, {@code accuracy}: the fraction of predictions whose arg-max class
     * equals the target, for logits {@code [N, C]} and targets {@code [N]} (or per position, for
     * {@code [N, C, d1, ...]} and {@code [N, d1, ...]}: classes along dimension 1, as cross-entropy).
     *
     * @return the metric
     */
    static Metric accuracy() {
        return new ArgmaxAccuracy("accuracy", null);
    }

    /**
     * Per-token accuracy, {@code token_accuracy}: as {@link #accuracy()} but over the positions
     * whose target is not {@code ignoreIndex} (the padding of {@link dev.kiln.data.PadSequences}).
     *
     * @param ignoreIndex the target value of positions that are not scored (-100 for the default cross-entropy)
     * @return the metric
     */
    static Metric tokenAccuracy(long ignoreIndex) {
        return new ArgmaxAccuracy("token_accuracy", ignoreIndex);
    }

    /** Checks a metric name: it keys checkpoints and JSON, so a plain word. */
    private static void checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("Metric: name must be letters, digits, '_', '-' or '.', got " + (name == null ? null : "'" + name + "'"));
        }
    }
}
