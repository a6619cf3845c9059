package dev.kiln.optim.schedule;

/**
 * Cosine annealing from the initial rate down to {@code etaMin} over {@code tMax} steps, PyTorch's
 * closed form: {@code lr = etaMin + (initialLr - etaMin) * (1 + cos(pi * step / tMax)) / 2}.
 * Past {@code tMax} the cosine continues (the rate rises again), as in PyTorch.
 *
 * @param tMax   steps of one half period, >= 1
 * @param etaMin the lowest rate, finite and >= 0
 */
public record CosineAnnealingLR(long tMax, double etaMin) implements LrSchedule {
    /**
     * Validates the arguments.
     *
     * @throws IllegalArgumentException if {@code tMax < 1} or {@code etaMin} is negative or not finite
     */
    public CosineAnnealingLR {
        if (tMax < 1) throw new IllegalArgumentException("CosineAnnealingLR: tMax must be >= 1, got " + tMax);
        if (!(etaMin >= 0) || Double.isInfinite(etaMin)) throw new IllegalArgumentException("CosineAnnealingLR: etaMin must be finite and >= 0, got " + etaMin);
    }

    @Override
    public double lr(double initialLr, long step) {
        return etaMin + (initialLr - etaMin) * (1 + Math.cos(Math.PI * step / tMax)) / 2;
    }
}
