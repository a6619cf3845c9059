package dev.kiln.optim.schedule;

/**
 * Decays the rate by {@code gamma} every {@code stepSize} steps, as PyTorch's {@code StepLR}:
 * {@code lr = initialLr * gamma^floor(step / stepSize)}.
 *
 * @param stepSize steps between decays, >= 1
 * @param gamma    decay factor, finite and >= 0
 */
public record StepLR(long stepSize, double gamma) implements LrSchedule {
    /**
     * Validates the arguments.
     *
     * @throws IllegalArgumentException if {@code stepSize < 1} or {@code gamma} is negative or not finite
     */
    public StepLR {
        if (stepSize < 1) throw new IllegalArgumentException("StepLR: stepSize must be >= 1, got " + stepSize);
        if (!(gamma >= 0) || Double.isInfinite(gamma)) throw new IllegalArgumentException("StepLR: gamma must be finite and >= 0, got " + gamma);
    }

    @Override
    public double lr(double initialLr, long step) {
        return initialLr * Math.pow(gamma, Math.floorDiv(step, stepSize));
    }
}
