package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import java.util.Objects;

/**
 * Drives an optimizer's learning rates by a {@link LrSchedule}: each group's rate is
 * {@code schedule.lr(group.initialLr(), step)}. Construction applies step 0; call {@link #step()}
 * after each optimizer step (or epoch, for per-epoch schedules), as with PyTorch schedulers.
 */
public final class LrScheduler {
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private long step;

    /**
     * Sets every group's rate to the schedule's value at step 0.
     *
     * @param optimizer the optimizer whose groups' rates are driven
     * @param schedule the rate as a function of the initial rate and the step
     */
    public LrScheduler(Optimizer optimizer, LrSchedule schedule) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        apply();
    }

    /** Advances one step and updates every group's rate. */
    public void step() {
        step++;
        apply();
    }

    /** {@return steps taken so far (for checkpoints)} */
    public long lastStep() {
        return step;
    }

    /**
     * Jumps to {@code step} (when resuming) and applies its rates.
     *
     * @param step the step to continue from, at least 0
     * @throws IllegalArgumentException if {@code step < 0}
     */
    public void lastStep(long step) {
        if (step < 0) throw new IllegalArgumentException("LrScheduler: step must be >= 0, got " + step);
        this.step = step;
        apply();
    }

    /**
     * {@return the current rate of group {@code group}}
     *
     * @param group index of the optimizer's parameter group
     */
    public double lr(int group) {
        return optimizer.paramGroups().get(group).lr();
    }

    private void apply() {
        for (ParamGroup g : optimizer.paramGroups()) g.lr(schedule.lr(g.initialLr(), step));
    }
}
