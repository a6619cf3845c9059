package dev.kiln.train;

/**
 * One optimizer step of a {@link StepTrainer}, as its {@link StepListener}s see it.
 *
 * @param step        optimizer steps taken, this one included (from 1)
 * @param totalSteps  the step count the running {@link StepTrainer#fit} aims for
 * @param loss        the step's training loss: the mean of its micro-batches' losses
 * @param lr          the learning rate of the first parameter group during the step
 * @param gradNorm    the gradients' global L2 norm before clipping, or NaN when the trainer does not clip
 * @param tokens      target positions in the step's micro-batches (all of them, ignored ones included)
 * @param stepSeconds wall time of the step: forward, backward and update of every micro-batch
 * @param seconds     training time so far, evaluations included, counting runs before a resume
 */
public record StepUpdate(long step, long totalSteps, double loss, double lr, double gradNorm, long tokens, double stepSeconds, double seconds) {
    /** {@return tokens per second in this step (0 for a step that took no measurable time)} */
    public double tokensPerSecond() {
        return stepSeconds > 0 ? tokens / stepSeconds : 0;
    }
}
