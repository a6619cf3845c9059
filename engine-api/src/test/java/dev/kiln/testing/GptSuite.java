package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link GptChecks} on one backend (a subclass supplies {@link #backend()}), with the op suite's
 * memory rule: every test leaves {@link Backend#bytesInUse()} where it found it and no tensor to the
 * garbage-collection safety net (a KV cache or a generation that leaked would show here).
 */
public abstract class GptSuite implements GptChecks {
    private Long bytesBefore;
    private long leakedBefore;

    @BeforeEach
    void recordMemory() {
        bytesBefore = null;
        Backend b = backend();
        b.synchronize();
        bytesBefore = b.bytesInUse();
        leakedBefore = Tensor.leakedCount();
    }

    @AfterEach
    void memoryReturned() {
        if (bytesBefore == null) return;
        Backend b = backend();
        b.synchronize();
        assertEquals(bytesBefore, b.bytesInUse(), "bytes in use on " + b.name() + " changed: a tensor outlived its scope");
        Garbage.collect();
        assertEquals(leakedBefore, Tensor.leakedCount(), "tensors were freed by the garbage-collection safety net: never closed");
    }
}
