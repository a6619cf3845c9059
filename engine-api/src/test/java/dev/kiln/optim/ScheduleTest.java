package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.optim.schedule.CosineAnnealingLR;
import dev.kiln.optim.schedule.LinearWarmup;
import dev.kiln.optim.schedule.LrSchedule;
import dev.kiln.optim.schedule.LrScheduler;
import dev.kiln.optim.schedule.StepLR;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Device;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Schedules against their closed forms, and the scheduler driving parameter groups. */
class ScheduleTest {
    private static final double TOL = 1e-15;
    private final Backend host = HostOnlyBackend.create("host", new Device("host", 0));

    @Test
    void stepLrDecaysEveryStepSizeSteps() {
        LrSchedule s = new StepLR(3, 0.5);
        long[] steps = {0, 2, 3, 5, 6, 10};
        double[] expected = {0.1, 0.1, 0.05, 0.05, 0.025, 0.1 * 0.125};
        for (int i = 0; i < steps.length; i++) assertEquals(expected[i], s.lr(0.1, steps[i]), TOL, "step " + steps[i]);
    }

    @Test
    void cosineAnnealingFollowsTheHalfCosine() {
        LrSchedule s = new CosineAnnealingLR(10, 0.001);
        assertEquals(0.1, s.lr(0.1, 0), TOL);
        assertEquals(0.001 + 0.099 / 2, s.lr(0.1, 5), TOL);
        assertEquals(0.001, s.lr(0.1, 10), TOL);
        assertEquals(0.001 + 0.099 * (1 + Math.cos(Math.PI * 3 / 10)) / 2, s.lr(0.1, 3), TOL);
    }

    @Test
    void linearWarmupRampsThenHandsOver() {
        LrSchedule s = new LinearWarmup(4, 0.2, new StepLR(2, 0.1));
        assertEquals(0.02, s.lr(0.1, 0), TOL);
        assertEquals(0.1 * (0.2 + 0.8 * 2 / 4), s.lr(0.1, 2), TOL);
        assertEquals(0.1, s.lr(0.1, 4), TOL);
        assertEquals(0.1, s.lr(0.1, 5), TOL);
        assertEquals(0.01, s.lr(0.1, 6), 1e-17);
        assertEquals(1.0 / 3, new LinearWarmup(5, LrSchedule.constant()).lr(1.0, 0), TOL);
    }

    @Test
    void schedulerSetsEachGroupFromItsInitialRateAndResumes() {
        try (Tensor a = Tensor.full(host, 0f, 2).unscope(); Tensor b = Tensor.full(host, 0f, 3).unscope();
             SGD sgd = SGD.builder(List.of(ParamGroup.of(List.of(a)), ParamGroup.of(List.of(b)).lr(1.0))).lr(0.1).build()) {
            LrScheduler sched = new LrScheduler(sgd, new StepLR(2, 0.5));
            assertEquals(0.1, sched.lr(0), TOL);
            for (int i = 0; i < 5; i++) sched.step();
            assertEquals(0.1 * 0.25, sgd.paramGroups().get(0).lr(), TOL);
            assertEquals(0.25, sgd.paramGroups().get(1).lr(), TOL);
            assertEquals(1.0, sgd.paramGroups().get(1).initialLr(), TOL);
            assertEquals(5, sched.lastStep());

            LrScheduler resumed = new LrScheduler(sgd, new StepLR(2, 0.5));
            resumed.lastStep(5);
            resumed.step();
            assertEquals(0.1 * 0.125, sgd.paramGroups().get(0).lr(), TOL);
        }
    }

    @Test
    void invalidSchedulesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new StepLR(0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LinearWarmup(3, 1.5, LrSchedule.constant()));
    }
}
