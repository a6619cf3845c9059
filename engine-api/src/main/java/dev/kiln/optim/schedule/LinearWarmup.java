package dev.kiln.optim.schedule;

import java.util.Objects;

/**
 * Linear warm-up followed by another schedule, as PyTorch's {@code SequentialLR} of
 * {@code LinearLR(startFactor, 1.0, warmupSteps)} and {@code then} with milestone
 * {@code warmupSteps}: for {@code step < warmupSteps},
 * {@code lr = initialLr * (startFactor + (1 - startFactor) * step / warmupSteps)}; afterwards
 * {@code then.lr(initialLr, step - warmupSteps)}.
 *
 * @param warmupSteps steps of warm-up, >= 1
 * @param startFactor fraction of the initial rate at step 0, in [0, 1]
 * @param then        the schedule after warm-up, which sees steps counted from its end
 */
public record LinearWarmup(long warmupSteps, double startFactor, LrSchedule then) implements LrSchedule {
    /**
     * Validates the arguments.
     *
     * @throws IllegalArgumentException if {@code warmupSteps < 1} or {@code startFactor} is not in [0, 1]
     */
    public LinearWarmup {
        if (warmupSteps < 1) throw new IllegalArgumentException("LinearWarmup: warmupSteps must be >= 1, got " + warmupSteps);
        if (!(startFactor >= 0 && startFactor <= 1)) throw new IllegalArgumentException("LinearWarmup: startFactor must be in [0, 1], got " + startFactor);
        Objects.requireNonNull(then, "then");
    }

    /**
     * Starts at a third of the rate (PyTorch {@code LinearLR}'s default), then follows {@code then}.
     *
     * @param warmupSteps steps of the linear ramp, at least 1
     * @param then the schedule after the ramp (its step 0 is the end of the warm-up)
     */
    public LinearWarmup(long warmupSteps, LrSchedule then) {
        this(warmupSteps, 1.0 / 3, then);
    }

    @Override
    public double lr(double initialLr, long step) {
        if (step < warmupSteps) return initialLr * (startFactor + (1 - startFactor) * step / warmupSteps);
        return then.lr(initialLr, step - warmupSteps);
    }
}
