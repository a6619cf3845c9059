package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.optim.schedule.CosineAnnealingLR;
import dev.kiln.optim.schedule.WarmupCosine;
import org.junit.jupiter.api.Test;

/** The language-model schedule against values worked out by hand and against nanoGPT's formula in float64. */
class WarmupCosineTest {
    private static final double TOL = 1e-15;

    /** nanoGPT's get_lr with a ramp of (it + 1) / warmup from {@code start}, written independently. */
    private static double nano(long it, double peak, long warmup, long decayIters, double minLr, double start) {
        if (it < warmup) return start + (peak - start) * (it + 1) / warmup;
        if (it > decayIters) return minLr;
        double ratio = (double) (it - warmup) / (decayIters - warmup);
        return minLr + 0.5 * (1.0 + Math.cos(Math.PI * ratio)) * (peak - minLr);
    }

    @Test
    void handWorkedValues() {
        WarmupCosine s = new WarmupCosine(4, 12, 0.1);
        // ramp: 1/4, 2/4, 3/4, 4/4 of the peak 2.0
        assertEquals(0.5, s.lr(2.0, 0), TOL);
        assertEquals(1.5, s.lr(2.0, 2), TOL);
        assertEquals(2.0, s.lr(2.0, 3), TOL);
        assertEquals(2.0, s.lr(2.0, 4), TOL, "the cosine starts at the peak");
        assertEquals(0.2 + 1.8 * 0.5, s.lr(2.0, 8), TOL, "half way down: the mean of peak and floor");
        assertEquals(0.2, s.lr(2.0, 12), TOL, "the floor at totalSteps");
        assertEquals(0.2, s.lr(2.0, 1000), TOL, "and after it");
    }

    @Test
    void matchesNanoGptsFormulaEverywhere() {
        long warmup = 10, total = 100;
        for (double minFactor : new double[] {0, 0.1}) {
            for (double start : new double[] {0, 0.25}) {
                WarmupCosine s = new WarmupCosine(warmup, total, minFactor, start);
                for (long it = 0; it <= 130; it++) {
                    assertEquals(nano(it, 6e-4, warmup, total, minFactor * 6e-4, start * 6e-4), s.lr(6e-4, it), 1e-17, "step " + it);
                }
            }
        }
    }

    @Test
    void withoutWarmUpItIsPyTorchsCosineAnnealingUntilTotalSteps() {
        WarmupCosine s = new WarmupCosine(0, 50);
        CosineAnnealingLR torch = new CosineAnnealingLR(50, 0);
        for (long it = 0; it <= 50; it++) assertEquals(torch.lr(0.3, it), s.lr(0.3, it), 1e-16, "step " + it);
        assertEquals(0, s.lr(0.3, 60), "constant past the end, where PyTorch's rises again");
        assertTrue(torch.lr(0.3, 60) > 0);
    }

    @Test
    void aRunNoLongerThanTheWarmUpIsAllRampThenOneStepOfCosine() {
        // as the sequence samples' schedule (and their PyTorch peer's lambda), whose cosine spans max(1, total - warmup) steps
        for (WarmupCosine s : new WarmupCosine[] {new WarmupCosine(10, 5), new WarmupCosine(10, 10)}) {
            for (long it = 0; it < 10; it++) assertEquals((it + 1) / 10.0, s.lr(1, it), TOL);
            assertEquals(1, s.lr(1, 10), TOL, "the peak where the ramp ends");
            assertEquals(0, s.lr(1, 11), TOL);
            assertEquals(0, s.lr(1, 50), TOL);
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosine(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosine(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosine(1, 10, 1.5));
        var e = assertThrows(IllegalArgumentException.class, () -> new WarmupCosine(1, 10, 0, Double.NaN));
        assertEquals("WarmupCosine: startFactor must be in [0, 1], got NaN", e.getMessage());
    }
}
