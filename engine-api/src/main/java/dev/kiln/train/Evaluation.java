package dev.kiln.train;

/**
 * A model's results on a labelled data set, sample by sample in the loader's order.
 *
 * @param loss        mean loss per sample (batch losses weighted by batch size, so exact for a
 *                    mean-reducing loss)
 * @param accuracy    fraction of samples whose arg-max prediction equals the label
 * @param confusion   {@code confusion[label][predicted]} counts, classes x classes
 * @param labels      the label of every sample, in loader order
 * @param predictions the arg-max class of every sample, in loader order
 */
public record Evaluation(double loss, double accuracy, long[][] confusion, int[] labels, int[] predictions) {
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
