package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.Device;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@code backward(gradOutput)} reads the caller's gradient tensor, which another thread may close
 * meanwhile. The backend here closes it just as backward copies it into the leaf's gradient (and
 * frees memory at once, so an unpinned copy fails on freed memory): the copy must still read it.
 */
class BackwardPinTest {
    private Tensor victim;

    @Test
    void backwardReadsAGradientClosedDuringTheCopy() {
        Backend b = HostOnlyBackend.create("memory", Device.CPU, new ArrayList<>(), m -> {
            if (m.equals("copy") && victim != null) {
                Tensor t = victim;
                victim = null;
                t.close();
            }
        });
        try (Tensor x = Tensor.fromArray(b, new float[] {1, 2}, 2).requiresGrad(true)) {
            Tensor g = Tensor.fromArray(b, new float[] {5, 6}, 2);
            victim = g;
            x.backward(g);
            assertTrue(g.isClosed());
            assertArrayEquals(new float[] {5, 6}, x.grad().toFloatArray());
            x.grad().close();
        }
        assertEquals(0, b.bytesInUse());
    }
}
