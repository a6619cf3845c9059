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
 * permute and transpose are one {@link Backend#stridedCopy} call on the tensor's own device: no copy
 * to or from host memory (on a GPU that would be two PCIe transfers per transpose).
 */
class PermuteOnDeviceTest {
    @Test
    void permuteAndTransposeNeverTouchHostMemory() {
        List<String> calls = new ArrayList<>();
        Backend b = HostOnlyBackend.create("recording", new Device("recording", 0), new ArrayList<>(), calls::add);
        try (var s = Kiln.scope()) {
            Tensor x = Tensor.fromArray(b, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor i = Tensor.fromInts(b, new int[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
            calls.clear();
            Tensor y = x.transpose(0, 1);
            Tensor z = i.permute(2, 0, 1);
            List<String> seen = calls.stream().filter(n -> !n.equals("allocate") && !n.equals("name") && !n.equals("device")).toList();
            assertEquals(List.of("stridedCopy", "stridedCopy"), seen, "backend calls of transpose and permute");
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, y.toFloatArray());
            assertArrayEquals(new int[] {3, 1, 2}, z.shape());
            assertArrayEquals(new int[] {1, 4, 2, 5, 3, 6}, z.toIntArray());
        }
    }
}
