package dev.kiln.samples;

import dev.kiln.optim.schedule.LrSchedule;

/**
 * The learning-rate schedule of the sequence samples and of their PyTorch peer
 * ({@code bench/peers/torch_seq.py}'s {@code schedule}, a {@code LambdaLR}): a linear ramp
 * {@code (step + 1) / warmupSteps} of the peak for the first {@code warmupSteps} steps, then a
 * cosine decay to 0 over the remaining steps. With no warm-up it is PyTorch's
 * {@code CosineAnnealingLR(totalSteps, 0)}. Stepped once per batch.
 *
 * @param warmupSteps steps of the ramp, at least 0
 * @param totalSteps  steps of the whole run, at least 1
 */
record WarmupCosine(long warmupSteps, long totalSteps) implements LrSchedule {
    WarmupCosine {
        if (warmupSteps < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("WarmupCosine: need warmupSteps >= 0 and totalSteps >= 1, got " + warmupSteps + ", " + totalSteps);
        }
    }

    @Override
    public double lr(double initialLr, long step) {
        if (step < warmupSteps) return initialLr * (step + 1) / warmupSteps;
        double t = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return initialLr * 0.5 * (1 + Math.cos(Math.PI * t));
    }
}
