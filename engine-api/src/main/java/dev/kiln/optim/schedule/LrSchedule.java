package dev.kiln.optim.schedule;

/**
 * A learning rate as a function of a parameter group's initial rate and the step count (an
 * iteration or an epoch, however often the {@link LrScheduler} is stepped). Closed-form, so a
 * resumed run gets the same rates as an uninterrupted one.
 */
@FunctionalInterface
public interface LrSchedule {
    /**
     * The learning rate at {@code step}.
     *
     * @param initialLr the group's learning rate when training started
     * @param step      scheduler steps taken so far, >= 0
     * @return the learning rate to use now
     */
    double lr(double initialLr, long step);

    /** {@return the initial rate at every step} */
    static LrSchedule constant() {
        return (initialLr, step) -> initialLr;
    }
}
