package dev.kiln.testing;

import org.junit.jupiter.api.Test;

/** The same seed gives bit-identical results run to run (conv + batch norm + pool + dropout + loss, forward and backward). */
public interface DeterminismChecks extends BackendUnderTest {

    @Test
    default void sameSeedSameBits() {
        float[] first = SmallCnn.run(backend(), 5, 6, 3), second = SmallCnn.run(backend(), 5, 6, 3);
        Compare.assertBitIdentical("three training steps of the small CNN, run twice", first, second);
    }
}
