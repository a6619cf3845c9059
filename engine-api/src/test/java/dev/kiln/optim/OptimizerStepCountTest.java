package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A loaded step count must be a whole number in range: NaN or 1e300 would otherwise become 0 or Long.MAX_VALUE silently. */
class OptimizerStepCountTest {
    @Test
    void stepCountsMustBeWholeNumbersFromZeroTo2Pow53() {
        Tensor p = Tensor.full(HostOnlyBackend.create(), 0f, 2).unscope().requiresGrad(true);
        try (p; SGD sgd = new SGD(List.of(p), 0.1)) {
            for (double bad : new double[] {Double.NaN, 1.5, -1, 1e300, Double.POSITIVE_INFINITY, 0x1p53 + 2}) {
                var e = assertThrows(IllegalArgumentException.class, () -> sgd.loadState(new OptimizerState(Map.of(), Map.of("0.step", bad))));
                assertEquals("SGD: state scalar '0.step' must be a whole number from 0 to 2^53, got " + bad, e.getMessage());
            }
            assertTrue(sgd.state().scalars().keySet().stream().noneMatch(k -> k.endsWith(".step")), "nothing was loaded");
            sgd.loadState(new OptimizerState(Map.of(), Map.of("0.step", 0x1p53)));
            assertEquals(0x1p53, sgd.state().scalars().get("0.step"));
        }
    }
}
