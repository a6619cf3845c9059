package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * 1,000 small training steps in scopes: the backend's bytes in use return to their level after
 * every step, and no tensor is left for the garbage-collection safety net. A tensor that
 * escaped its scope either still holds memory (caught by the first check) or was collected
 * unclosed (caught by {@link Tensor#leakedCount()} after a final collection).
 */
public interface LeakChecks extends BackendUnderTest {
    int LEAK_STEPS = 1_000;

    @Test
    default void thousandTrainingStepsDoNotLeak() {
        Garbage.collect();
        long leakedBefore = Tensor.leakedCount();
        try (SmallCnn net = new SmallCnn(backend(), 9, 4)) {
            net.step(); // the first step may create optimizer state; measure from the second
            backend().synchronize();
            long bytes = backend().bytesInUse();
            for (int i = 1; i < LEAK_STEPS; i++) {
                net.step();
                backend().synchronize();
                if (backend().bytesInUse() != bytes) {
                    assertEquals(bytes, backend().bytesInUse(), "bytes in use after step " + i);
                }
            }
        }
        Garbage.collect();
        assertEquals(leakedBefore, Tensor.leakedCount(), "tensors freed by the garbage-collection safety net instead of a scope");
    }

}
