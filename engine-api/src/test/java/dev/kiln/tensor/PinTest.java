package dev.kiln.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.internal.Pin;
import dev.kiln.internal.TensorAccess;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Storage;
import dev.kiln.testing.HostOnlyBackend;
import org.junit.jupiter.api.Test;

/** An op's pin is its own hold on a tensor's storage: closing it again never frees memory another holder still uses. */
class PinTest {
    private final Backend backend = HostOnlyBackend.create();

    @Test
    void closingAPinTwiceKeepsTheTensorsMemory() {
        Tensor t = Tensor.full(backend, 3f, 4);
        Storage s = TensorAccess.storage(t);
        Pin p = TensorAccess.pin("test", t);
        p.close();
        p.close(); // a second close must not drop the tensor's own hold
        assertFalse(s.isClosed(), "the tensor still holds its storage");
        assertArrayEquals(new float[] {3, 3, 3, 3}, t.toFloatArray());
        t.close();
        assertTrue(s.isClosed(), "the tensor was the last holder");
    }

    @Test
    void closingAPinTwiceKeepsAViewsMemory() {
        Tensor t = Tensor.full(backend, 5f, 2, 2);
        Storage s = TensorAccess.storage(t);
        try (Tensor v = t.reshape(4)) {
            Pin p = TensorAccess.pin("test", t);
            t.close();
            p.close();
            p.close();
            assertFalse(s.isClosed(), "the view still holds the storage");
            assertArrayEquals(new float[] {5, 5, 5, 5}, v.toFloatArray());
        }
        assertTrue(s.isClosed());
    }

    @Test
    void aClosedPinRefusesToHandOutTheStorage() {
        try (Tensor t = Tensor.full(backend, 1f, 2)) {
            Pin p = TensorAccess.pin("test", t);
            p.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, p::storage);
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    @Test
    void releasingMoreOftenThanHeldFailsInsteadOfFreeingTwice() {
        int[] closes = {0};
        Storage counting = new Storage() {
            @Override public Backend backend() { return backend; }
            @Override public DType dtype() { return DType.FLOAT32; }
            @Override public long numel() { return 1; }
            @Override public boolean isClosed() { return closes[0] > 0; }
            @Override public void close() { closes[0]++; }
        };
        SharedStorage shared = new SharedStorage(counting);
        shared.release();
        assertEquals(1, closes[0]);
        IllegalStateException e = assertThrows(IllegalStateException.class, shared::release);
        assertTrue(e.getMessage().contains("released more often"), e.getMessage());
        assertEquals(1, closes[0], "the storage is not closed a second time");
    }
}
