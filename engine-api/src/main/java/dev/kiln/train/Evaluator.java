package dev.kiln.train;

import dev.kiln.Kiln;
import dev.kiln.data.Batch;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Epoch;
import dev.kiln.nn.Loss;
import dev.kiln.nn.Module;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;

/** Runs a classifier over a data set without gradients and collects loss, accuracy and the confusion matrix. */
public final class Evaluator {
    private Evaluator() {}

    /**
     * Evaluates {@code model} (logits {@code [B, C]}) on every batch of {@code loader}'s epoch 0 in
     * evaluation mode and without recording gradients; the model's training/evaluation mode is
     * restored afterwards. Use a loader without shuffling so that sample indices match the data set.
     *
     * @param model  a classifier returning logits {@code [B, C]}
     * @param loader the labelled data (labels in [0, C))
     * @param loss   the loss to report (e.g. cross-entropy with mean reduction)
     * @return the loss, accuracy, confusion matrix and predictions
     * @throws IllegalArgumentException if the model's output is not {@code [B, C]} or a label is outside [0, C)
     */
    public static Evaluation evaluate(Module model, DataLoader loader, Loss loss) {
        int n = loader.dataset().size();
        int[] labels = new int[n], predictions = new int[n];
        long[][] confusion = null;
        double lossSum = 0;
        long correct = 0;
        int seen = 0;
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var _ = Kiln.noGrad(); Epoch<Batch> batches = loader.epoch(0)) {
            while (batches.hasNext()) {
                try (var _ = Kiln.scope()) {
                    Batch b = batches.next();
                    Tensor logits = model.forward(b.images());
                    int[] s = logits.shape();
                    if (s.length != 2 || s[0] != b.size()) {
                        throw new IllegalArgumentException("evaluate: the model returned " + Shape.str(s) + " for a batch of " + b.size()
                                + " samples; expected logits [" + b.size() + ", classes]");
                    }
                    if (confusion == null) confusion = new long[s[1]][s[1]];
                    lossSum += (double) loss.apply(logits, b.labels()).item() * b.size();
                    int[] y = b.labels().toIntArray(), p = logits.argmax().toIntArray();
                    for (int i = 0; i < y.length; i++) {
                        if (y[i] < 0 || y[i] >= confusion.length) {
                            throw new IllegalArgumentException("evaluate: label " + y[i] + " of sample " + (seen + i) + " is outside [0, "
                                    + confusion.length + ")");
                        }
                        confusion[y[i]][p[i]]++;
                        if (y[i] == p[i]) correct++;
                    }
                    System.arraycopy(y, 0, labels, seen, y.length);
                    System.arraycopy(p, 0, predictions, seen, p.length);
                    seen += y.length;
                }
            }
        } finally {
            model.train(wasTraining);
        }
        if (confusion == null) confusion = new long[0][0];
        return new Evaluation(seen == 0 ? Double.NaN : lossSum / seen, seen == 0 ? Double.NaN : (double) correct / seen, confusion,
                Arrays.copyOf(labels, seen), Arrays.copyOf(predictions, seen));
    }

    /**
     * Evaluates any model on every batch of {@code loader}'s epoch 0 in evaluation mode and without
     * recording gradients (the mode is restored afterwards): the mean loss per sample (batch losses
     * weighted by batch size) and each metric over the whole set. Per-sample labels, predictions and
     * the confusion matrix are left empty; {@link Evaluation#accuracy()} is the metric named
     * {@code accuracy}, or NaN.
     *
     * @param model   the model
     * @param loader  batches with a target
     * @param loss    the loss of the model's output against the batch's target
     * @param forward calls the model on a batch (e.g. {@link BatchForward#singleInput()})
     * @param metrics the metrics to report, possibly none
     * @return the loss and the metrics by name
     * @throws IllegalArgumentException if the loss or a metric rejects the output
     * @throws IllegalStateException if a batch has no target
     */
    public static Evaluation evaluate(Module model, DataLoader loader, Loss loss, BatchForward forward, java.util.List<Metric> metrics) {
        double lossSum = 0;
        long seen = 0;
        double[] totals = new double[metrics.size()];
        long[] counts = new long[metrics.size()];
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var _ = Kiln.noGrad(); Epoch<Batch> batches = loader.epoch(0)) {
            while (batches.hasNext()) {
                try (var _ = Kiln.scope()) {
                    Batch b = batches.next();
                    Tensor out = forward.apply(model, b);
                    lossSum += (double) loss.apply(out, b.target()).item() * b.size();
                    seen += b.size();
                    for (int m = 0; m < totals.length; m++) {
                        Metric.Score sc = metrics.get(m).score(out, b.target());
                        totals[m] += sc.total();
                        counts[m] += sc.count();
                    }
                }
            }
        } finally {
            model.train(wasTraining);
        }
        java.util.Map<String, Double> values = new java.util.LinkedHashMap<>();
        for (int m = 0; m < totals.length; m++) values.put(metrics.get(m).name(), counts[m] == 0 ? Double.NaN : totals[m] / counts[m]);
        return new Evaluation(seen == 0 ? Double.NaN : lossSum / seen, values.getOrDefault("accuracy", Double.NaN), new long[0][0],
                new int[0], new int[0], values);
    }
}
