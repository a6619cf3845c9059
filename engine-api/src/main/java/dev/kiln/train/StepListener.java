package dev.kiln.train;

import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Callbacks of a {@link StepTrainer}'s {@link StepTrainer#fit} loop, on the training thread, in
 * this order: {@link #onTrainStart}; per optimizer step {@link #onStep}, then, on evaluation
 * steps, {@link #onEvaluation}; finally {@link #onTrainEnd}. Checkpoints due at a step are
 * written after its callbacks. Every method does nothing by default; an exception thrown by a
 * listener stops training and propagates from {@code fit}.
 */
public interface StepListener {
    /**
     * Before the first step of a {@code fit} call ({@link StepTrainer#targetSteps()} is set).
     *
     * @param trainer the trainer calling
     */
    default void onTrainStart(StepTrainer trainer) {}

    /**
     * After each optimizer step.
     *
     * @param trainer the trainer calling
     * @param update the step's loss, learning rate and speed
     */
    default void onStep(StepTrainer trainer, StepUpdate update) {}

    /**
     * After an evaluation, with the model still in evaluation mode and gradients off (training mode
     * comes back afterwards), so a hook can sample text from the model here. Draw from a generator of
     * its own: one registered with {@link StepTrainer.Builder#randomStream} would make a resumed run differ.
     *
     * @param trainer the trainer calling
     * @param evaluation the validation loss and perplexity
     */
    default void onEvaluation(StepTrainer trainer, StepEvaluation evaluation) {}

    /**
     * When {@code fit} returns normally.
     *
     * @param trainer the trainer calling
     */
    default void onTrainEnd(StepTrainer trainer) {}

    /**
     * A listener that runs {@code action} after every evaluation (see {@link #onEvaluation}), e.g.
     * to print text the model generates.
     *
     * @param action called with the trainer and the evaluation
     * @return the listener
     */
    static StepListener atEvaluation(BiConsumer<StepTrainer, StepEvaluation> action) {
        Objects.requireNonNull(action, "action");
        return new StepListener() {
            @Override
            public void onEvaluation(StepTrainer trainer, StepEvaluation evaluation) {
                action.accept(trainer, evaluation);
            }
        };
    }
}
