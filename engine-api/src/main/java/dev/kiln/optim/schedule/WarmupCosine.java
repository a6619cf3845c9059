package dev.kiln.optim.schedule;

/**
 * The language-model schedule (nanoGPT's {@code get_lr}): a linear warm-up to the peak, a cosine
 * decay to a floor at {@code totalSteps}, and the floor after that. With {@code peak} the group's
 * initial rate, {@code floor = minFactor * peak}, {@code start = startFactor * peak} and the cosine's
 * length {@code span = max(1, totalSteps - warmupSteps)}:
 * <ul>
 *   <li>{@code step < warmupSteps}: {@code start + (peak - start) * (step + 1) / warmupSteps}, so the
 *       first step already trains (at {@code peak / warmupSteps} from a start of 0) and step
 *       {@code warmupSteps - 1} reaches the peak;</li>
 *   <li>{@code warmupSteps <= step < warmupSteps + span}: {@code floor + (peak - floor) * (1 + cos(pi * t)) / 2}
 *       with {@code t = (step - warmupSteps) / span};</li>
 *   <li>afterwards, from {@code totalSteps} on (or {@code warmupSteps + 1} when the warm-up is as long as the
 *       run): {@code floor}.</li>
 * </ul>
 * With no warm-up and a floor of 0 it is PyTorch's {@code CosineAnnealingLR(totalSteps, 0)} up to
 * {@code totalSteps}. Advance it once per optimizer step:
 * {@snippet :
 * LrScheduler scheduler = new LrScheduler(optimizer, new WarmupCosine(100, 5000, 0.1)); // 10% floor
 * }
 *
 * @param warmupSteps steps of the linear ramp, at least 0 (a run no longer than that is all warm-up)
 * @param totalSteps  the step at which the cosine reaches the floor, at least 1
 * @param minFactor   the floor as a fraction of the peak, in [0, 1]
 * @param startFactor where the ramp starts, as a fraction of the peak, in [0, 1]
 */
public record WarmupCosine(long warmupSteps, long totalSteps, double minFactor, double startFactor) implements LrSchedule {
    /**
     * Validates the arguments.
     *
     * @throws IllegalArgumentException if {@code warmupSteps < 0}, {@code totalSteps < 1}, or a factor is not in [0, 1]
     */
    public WarmupCosine {
        if (warmupSteps < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("WarmupCosine: need warmupSteps >= 0 and totalSteps >= 1, got " + warmupSteps + ", " + totalSteps);
        }
        if (!(minFactor >= 0 && minFactor <= 1)) throw new IllegalArgumentException("WarmupCosine: minFactor must be in [0, 1], got " + minFactor);
        if (!(startFactor >= 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("WarmupCosine: startFactor must be in [0, 1], got " + startFactor);
        }
    }

    /**
     * A ramp from 0 and a cosine down to 0.
     *
     * @param warmupSteps steps of the linear ramp, at least 0
     * @param totalSteps  the step at which the rate reaches 0, at least 1
     */
    public WarmupCosine(long warmupSteps, long totalSteps) {
        this(warmupSteps, totalSteps, 0, 0);
    }

    /**
     * A ramp from 0 and a cosine down to {@code minFactor} times the peak (nanoGPT's {@code min_lr}, often a tenth).
     *
     * @param warmupSteps steps of the linear ramp, at least 0
     * @param totalSteps  the step at which the cosine reaches the floor, at least 1
     * @param minFactor   the floor as a fraction of the peak, in [0, 1]
     */
    public WarmupCosine(long warmupSteps, long totalSteps, double minFactor) {
        this(warmupSteps, totalSteps, minFactor, 0);
    }

    @Override
    public double lr(double initialLr, long step) {
        if (step < warmupSteps) {
            double start = startFactor * initialLr;
            return start + (initialLr - start) * (step + 1) / warmupSteps;
        }
        double floor = minFactor * initialLr;
        long span = Math.max(1, totalSteps - warmupSteps);
        if (step - warmupSteps >= span) return floor;
        double t = (double) (step - warmupSteps) / span;
        return floor + (initialLr - floor) * (1 + Math.cos(Math.PI * t)) / 2;
    }
}
