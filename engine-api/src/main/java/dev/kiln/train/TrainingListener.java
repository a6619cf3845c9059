package dev.kiln.train;

/**
 * Callbacks of a {@link Trainer}'s {@link Trainer#fit} loop, all on the training thread, in
 * this order: {@link #onTrainStart}, then per epoch {@link #onEpochStart}, {@link #onStep} per
 * batch and {@link #onEpochEnd} (after evaluation, with the trainer's position already past the
 * epoch, so a checkpoint written there resumes at the next one), and finally
 * {@link #onTrainEnd}. Every method does nothing by default. An exception thrown by a listener
 * stops training and propagates from {@code fit}.
 */
public interface TrainingListener {
    /**
     * Before the first step of a {@code fit} call ({@link Trainer#targetEpochs()} is set).
     *
     * @param trainer the trainer calling
     */
    default void onTrainStart(Trainer trainer) {}

    /**
     * Before the first batch of epoch {@code epoch} (from 0) of {@code batches} batches.
     *
     * @param trainer the trainer calling
     * @param epoch the epoch about to start, from 0
     * @param batches the number of batches it has
     */
    default void onEpochStart(Trainer trainer, int epoch, int batches) {}

    /**
     * After each optimizer step.
     *
     * @param trainer the trainer calling
     * @param step the step's loss, accuracy and position
     */
    default void onStep(Trainer trainer, StepResult step) {}

    /**
     * After an epoch's last step and its evaluation.
     *
     * @param trainer the trainer calling
     * @param result the epoch's summary, evaluation included
     */
    default void onEpochEnd(Trainer trainer, EpochResult result) {}

    /**
     * When {@code fit} returns normally: all epochs done or the step budget spent.
     *
     * @param trainer the trainer calling
     */
    default void onTrainEnd(Trainer trainer) {}
}
