package dev.kiln.train;

import java.util.Map;

/**
 * What one training step did, as {@link TrainingListener#onStep} sees it. Running values cover
 * the batches of the current epoch so far (after a mid-epoch resume, including those trained
 * before the checkpoint).
 *
 * @param epoch           epoch index, from 0
 * @param batch           batch index within the epoch, from 0
 * @param batches         batches in the epoch
 * @param step            optimizer steps taken so far, this one included
 * @param loss            this batch's loss
 * @param batchSize       samples in this batch
 * @param correct         samples of this batch whose arg-max prediction equals the label (0 without an
 *                        {@code accuracy} metric)
 * @param lr              learning rate of the first parameter group used by this step
 * @param epochLoss       mean loss per sample over the epoch so far
 * @param epochAccuracy   fraction of correct predictions over the epoch so far (NaN without an {@code accuracy} metric)
 * @param epochImages     samples trained in the epoch so far
 * @param epochSeconds    wall time of the epoch's training so far (evaluation excluded)
 * @param epochMetrics    every metric over the epoch so far, by name, in the trainer's order (unmodifiable)
 */
public record StepResult(int epoch, int batch, int batches, long step, double loss, int batchSize, int correct, double lr,
                         double epochLoss, double epochAccuracy, long epochImages, double epochSeconds, Map<String, Double> epochMetrics) {
    /** Copies the map, keeping its order. */
    public StepResult {
        epochMetrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(epochMetrics));
    }

    /**
     * A classifier's step: the metrics are its running accuracy (under {@code accuracy}).
     *
     * @param epoch           epoch index, from 0
     * @param batch           batch index within the epoch, from 0
     * @param batches         batches in the epoch
     * @param step            optimizer steps taken so far, this one included
     * @param loss            this batch's loss
     * @param batchSize       samples in this batch
     * @param correct         samples of this batch whose arg-max prediction equals the label
     * @param lr              learning rate of the first parameter group used by this step
     * @param epochLoss       mean loss per sample over the epoch so far
     * @param epochAccuracy   fraction of correct predictions over the epoch so far
     * @param epochImages     samples trained in the epoch so far
     * @param epochSeconds    wall time of the epoch's training so far (evaluation excluded)
     */
    public StepResult(int epoch, int batch, int batches, long step, double loss, int batchSize, int correct, double lr,
                      double epochLoss, double epochAccuracy, long epochImages, double epochSeconds) {
        this(epoch, batch, batches, step, loss, batchSize, correct, lr, epochLoss, epochAccuracy, epochImages, epochSeconds,
                Double.isNaN(epochAccuracy) ? Map.of() : Map.of("accuracy", epochAccuracy));
    }

    /** {@return samples per second over the epoch so far (0 before any time passed)} */
    public double imagesPerSecond() {
        return epochSeconds > 0 ? epochImages / epochSeconds : 0;
    }
}
