package dev.kiln.train;

import dev.kiln.nn.Loss;
import dev.kiln.nn.Module;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.schedule.LrSchedule;
import dev.kiln.tensor.Generator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The settings {@link Trainer.Builder} and {@link StepTrainer.Builder} share: model, optimizer,
 * loss, forward hook, gradient clipping, learning-rate schedule, random streams and the handling
 * of non-finite losses. Each setter validates its argument and returns the concrete builder.
 *
 * @param <B> the concrete builder
 */
abstract class TrainingLoopBuilder<B extends TrainingLoopBuilder<B>> {
    /** The trainer's name, starting error messages. */
    private final String who;
    final Module model;
    final Optimizer optimizer;
    Loss loss;
    BatchForward forward;
    double clipNorm;
    LrSchedule schedule;
    final Map<String, Generator> streams = new LinkedHashMap<>();
    boolean allowNonfinite;

    TrainingLoopBuilder(String who, Module model, Optimizer optimizer, Loss loss, BatchForward forward) {
        this.who = who;
        this.model = Objects.requireNonNull(model, "model");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.loss = loss;
        this.forward = forward;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * The loss of the model's output against the batch's target; any function of the two, e.g. a
     * lambda (default: mean cross-entropy for a {@link Trainer}, {@link StepTrainer#tokenCrossEntropy()}
     * for a {@link StepTrainer}).
     *
     * @param loss maps the output (e.g. logits {@code [B, C]}) and the target (e.g. INT32 labels {@code [B]}) to a scalar
     * @return this builder
     */
    public B loss(Loss loss) {
        this.loss = Objects.requireNonNull(loss, "loss");
        return self();
    }

    /**
     * How the model is called on a batch (default {@link BatchForward#singleInput()}: the
     * batch's only input), e.g. {@code (m, b) -> model.forward(b.get("tokens"))} for a batch
     * that also carries lengths and a padding mask.
     *
     * @param forward maps the model and a batch to the output the loss and the metrics see
     * @return this builder
     */
    public B forward(BatchForward forward) {
        this.forward = Objects.requireNonNull(forward, "forward");
        return self();
    }

    /**
     * Sets the learning rates by {@code schedule}, advanced once per optimizer step (so a cosine
     * decay over a run has {@code tMax} = the run's optimizer steps, {@code epochs * batchesPerEpoch}
     * for a {@link Trainer}).
     *
     * @param schedule the learning rate as a function of the step
     * @return this builder
     */
    public B schedule(LrSchedule schedule) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        return self();
    }

    /**
     * Clips the gradients' global L2 norm to {@code maxNorm} before each optimizer step (0, the default: no clipping).
     *
     * @param maxNorm the largest global L2 norm of the gradients, finite and at least 0
     * @return this builder
     * @throws IllegalArgumentException if {@code maxNorm} is negative or not finite
     */
    public B clipGradNorm(double maxNorm) {
        if (!(maxNorm >= 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException(who + ": clipGradNorm must be finite and >= 0, got " + maxNorm);
        }
        this.clipNorm = maxNorm;
        return self();
    }

    /**
     * Saves and restores the position of {@code generator} under {@code name} (e.g. the one a
     * {@code Dropout} draws its masks from, or the one a batch sampler draws its windows from), so
     * a resumed run draws the same numbers.
     *
     * @param name the stream's key in checkpoints
     * @param generator the stream
     * @return this builder
     */
    public B randomStream(String name, Generator generator) {
        streams.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(generator, "generator"));
        return self();
    }

    /**
     * Whether to train on when a loss is NaN or infinite, and to save models holding such values
     * (default false: training throws {@link NonFiniteLossException} and saving refuses; see the
     * trainer's class comment).
     *
     * @param allow true to train on (one warning is logged per {@code fit}) and to save whatever the model holds
     * @return this builder
     */
    public B allowNonfiniteLoss(boolean allow) {
        this.allowNonfinite = allow;
        return self();
    }
}
