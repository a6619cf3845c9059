package dev.kiln.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.testing.HostOnlyBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * narrow, select and expand are one {@link Backend#stridedCopy} call on the tensor's own device,
 * cat one per input, and the narrow/select gradients one fill and one strided write: no copy to or
 * from host memory.
 */
class SliceOnDeviceTest {
    @Test
    void slicesAndTheirGradientsNeverTouchHostMemory() {
        List<String> calls = new ArrayList<>();
        Backend b = HostOnlyBackend.create("recording", new Device("recording", 0), new ArrayList<>(), calls::add);
        try (var s = Kiln.scope()) {
            Tensor x = Tensor.fromArray(b, new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
            Tensor col = Tensor.fromArray(b, new float[] {7, 8}, 2, 1);
            calls.clear();
            Tensor n = x.narrow(1, 1, 2);
            Tensor e = col.expand(2, 2);
            List<String> seen = calls.stream().filter(c -> !c.equals("allocate") && !c.equals("name") && !c.equals("device")).toList();
            assertEquals(List.of("stridedCopy", "stridedCopy"), seen, "backend calls of narrow and expand");
            assertArrayEquals(new float[] {2, 3, 5, 6}, n.toFloatArray());
            assertArrayEquals(new float[] {7, 7, 8, 8}, e.toFloatArray());
            Tensor sel = x.select(0, 1);
            assertArrayEquals(new float[] {4, 5, 6}, sel.toFloatArray());
            Tensor ones = Tensor.fromArray(b, new float[] {1, 1, 1}, 3);
            calls.clear();
            sel.backward(ones);
            assertEquals(0, calls.stream().filter(c -> c.startsWith("copyToHost") || c.startsWith("copyFromHost")).count(),
                    "host copies in the select gradient: " + calls);
            assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1}, x.grad().toFloatArray());
            calls.clear();
            Tensor c = Tensor.cat(1, col, col);
            assertEquals(List.of("stridedCopy", "stridedCopy"),
                    calls.stream().filter(n2 -> !n2.equals("allocate") && !n2.equals("name") && !n2.equals("device")).toList(), "backend calls of cat");
            assertArrayEquals(new float[] {7, 7, 8, 8}, c.toFloatArray());
        }
    }
}
