package dev.kiln.train;

/**
 * A {@link StepTrainer}'s evaluation on its validation batches.
 *
 * @param step       optimizer steps taken when it ran
 * @param loss       the mean loss per counted target position (positions whose target is -100 do not count), or NaN for no data
 * @param perplexity {@code exp(loss)}
 * @param tokens     the counted target positions
 * @param seconds    wall time of the evaluation
 */
public record StepEvaluation(long step, double loss, double perplexity, long tokens, double seconds) {
}
