package dev.kiln.train;

import java.util.Map;

/**
 * A model's results on a labelled data set, sample by sample in the loader's order.
 *
 * <p>An evaluation with pluggable metrics ({@link Evaluator#evaluate(dev.kiln.nn.Module,
 * dev.kiln.data.DataLoader, dev.kiln.nn.Loss, BatchForward, java.util.List)}) has no per-sample
 * labels, predictions or confusion matrix (empty arrays), and {@code accuracy} is NaN unless a
 * metric is named {@code accuracy}.
 *
 * @param loss        mean loss per sample (batch losses weighted by batch size, so exact for a
 *                    mean-reducing loss)
 * @param accuracy    fraction of samples whose arg-max prediction equals the label
 * @param confusion   {@code confusion[label][predicted]} counts, classes x classes
 * @param labels      the label of every sample, in loader order
 * @param predictions the arg-max class of every sample, in loader order
 * @param metrics     every metric's value over the data set, by name (accuracy under {@code accuracy});
 *                    unmodifiable
 */
public record Evaluation(double loss, double accuracy, long[][] confusion, int[] labels, int[] predictions, Map<String, Double> metrics) {
    /** Copies the metrics, keeping their order. */
    public Evaluation {
        metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
    }

    /**
     * A classifier's evaluation: its one metric is the accuracy.
     *
     * @param loss        mean loss per sample
     * @param accuracy    fraction of samples whose arg-max prediction equals the label
     * @param confusion   {@code confusion[label][predicted]} counts, classes x classes
     * @param labels      the label of every sample, in loader order
     * @param predictions the arg-max class of every sample, in loader order
     */
    public Evaluation(double loss, double accuracy, long[][] confusion, int[] labels, int[] predictions) {
        this(loss, accuracy, confusion, labels, predictions, Double.isNaN(accuracy) ? Map.of() : Map.of("accuracy", accuracy));
    }

    /** {@return number of samples evaluated} */
    public int size() {
        return labels.length;
    }

    /** {@return number of classes (the width of the model's output)} */
    public int classes() {
        return confusion.length;
    }

    /** {@return indices (in loader order) of the samples predicted wrongly, in order} */
    public int[] misclassified() {
        int n = 0;
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) if (labels[i] != predictions[i]) out[n++] = i;
        return java.util.Arrays.copyOf(out, n);
    }
}
