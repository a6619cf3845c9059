package dev.kiln.train;

import java.util.Locale;

/**
 * Thrown by {@link Trainer#fit} when a batch's loss is NaN or infinite (unless the trainer was
 * built with {@link Trainer.Builder#allowNonfiniteLoss}). Training stops before the optimizer
 * applies that batch's gradients, so the model keeps the weights of the previous step, and no
 * listener sees the step or the end of its epoch (an {@link EpochCheckpoint} therefore keeps the
 * last completed epoch's checkpoint). {@link StepTrainer#fit} throws it likewise for an optimizer
 * step whose (accumulated) loss is not finite.
 */
public final class NonFiniteLossException extends ArithmeticException {
    /** Epoch index, from 0. */
    private final int epoch;
    /** Batch index within the epoch, from 0. */
    private final int batch;
    /** Batches in the epoch. */
    private final int batches;
    /** The optimizer step the batch would have been, from 1. */
    private final long step;
    /** The loss read: NaN or an infinity. */
    private final double loss;

    /**
     * Describes the batch whose loss was not finite.
     *
     * @param epoch   epoch index, from 0
     * @param batch   batch index within the epoch, from 0
     * @param batches batches in the epoch
     * @param step    the optimizer step that batch would have been, from 1
     * @param loss    the loss read (NaN or an infinity)
     */
    public NonFiniteLossException(int epoch, int batch, int batches, long step, double loss) {
        super(where(epoch, batch, batches, step, loss) + "; training stopped before that step was applied");
        this.epoch = epoch;
        this.batch = batch;
        this.batches = batches;
        this.step = step;
        this.loss = loss;
    }

    /**
     * Describes the optimizer step of a step-based run ({@link StepTrainer}) whose loss was not
     * finite: "loss is NaN at step 943"; {@link #epoch()}, {@link #batch()} and {@link #batches()} are -1.
     *
     * @param step the optimizer step that would have been taken, from 1
     * @param loss the loss read (NaN or an infinity)
     */
    public NonFiniteLossException(long step, double loss) {
        this(-1, -1, -1, step, loss);
    }

    /**
     * Which loss and where, without what happened next: "loss is NaN at epoch 2, batch 5 of 938
     * (step 943)" (counting epochs and batches from 1). The message is this text followed by
     * "training stopped..."; a trainer allowed to go on logs it with its own ending.
     *
     * @return the loss value and the position of its batch
     */
    public String where() {
        return where(epoch, batch, batches, step, loss);
    }

    private static String where(int epoch, int batch, int batches, long step, double loss) {
        String value = Double.isNaN(loss) ? "NaN" : loss > 0 ? "+infinity" : "-infinity";
        if (epoch < 0) return String.format(Locale.ROOT, "loss is %s at step %d", value, step);
        return String.format(Locale.ROOT, "loss is %s at epoch %d, batch %d of %d (step %d)", value, epoch + 1, batch + 1, batches, step);
    }

    /** {@return the epoch index, from 0 (the message counts from 1); -1 for a step-based run} */
    public int epoch() {
        return epoch;
    }

    /** {@return the batch index within the epoch, from 0 (the message counts from 1); -1 for a step-based run} */
    public int batch() {
        return batch;
    }

    /** {@return the number of batches in the epoch; -1 for a step-based run} */
    public int batches() {
        return batches;
    }

    /** {@return the optimizer step the batch would have been, from 1; the model holds the weights after step {@code step() - 1}} */
    public long step() {
        return step;
    }

    /** {@return the loss value read: NaN or an infinity} */
    public double loss() {
        return loss;
    }
}
