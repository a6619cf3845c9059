package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The position text is available on its own, so a trainer that goes on need not edit the message. */
class NonFiniteLossExceptionTest {
    @Test
    void whereNamesTheLossAndItsBatchCountingFromOne() {
        var e = new NonFiniteLossException(1, 4, 938, 943, Double.NEGATIVE_INFINITY);
        assertEquals("loss is -infinity at epoch 2, batch 5 of 938 (step 943)", e.where());
        assertEquals("loss is -infinity at epoch 2, batch 5 of 938 (step 943); training stopped before that step was applied", e.getMessage());
        assertEquals("loss is NaN at epoch 1, batch 1 of 1 (step 1)", new NonFiniteLossException(0, 0, 1, 1, Double.NaN).where());
    }
}
