package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.Device;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A save reads, and a load writes, the caller's tensors while another thread may close them. The
 * backend here closes the tensor at the worst moment, just as the copy starts (the test backend
 * frees memory at once, so an unpinned copy fails on freed memory): the copy must still see the
 * tensor's own memory, which is freed only afterwards.
 */
class SafeTensorsPinTest {
    @TempDir
    Path dir;

    private Tensor victim;

    /** A backend that closes {@link #victim} just before its first call of {@code method}. */
    private Backend closingOn(String method) {
        return HostOnlyBackend.create("memory", Device.CPU, new ArrayList<>(), m -> {
            if (m.equals(method) && victim != null) {
                Tensor t = victim;
                victim = null;
                t.close();
            }
        });
    }

    @Test
    void aSaveReadsATensorClosedDuringTheCopy() throws IOException {
        Backend b = closingOn("copyToHost");
        Tensor w = Tensor.fromArray(b, new float[] {1, 2, 3}, 3);
        victim = w;
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, Map.of("w", w), Map.of());
        assertTrue(w.isClosed());
        assertEquals(0, b.bytesInUse(), "freed after the copy");
        Backend other = HostOnlyBackend.create();
        try (TensorFile back = SafeTensors.read(f, other)) {
            assertArrayEquals(new float[] {1, 2, 3}, back.tensors().get("w").toFloatArray());
        }
    }

    @Test
    void aLoadWritesOnlyIntoItsOwnTensorWhenItIsClosedDuringTheCopy() throws IOException {
        Path f = dir.resolve("m.safetensors");
        Backend plain = HostOnlyBackend.create();
        try (Tensor w = Tensor.fromArray(plain, new float[] {1, 2, 3}, 3)) {
            SafeTensors.write(f, Map.of("w", w), Map.of());
        }
        Backend b = closingOn("copyFromHost");
        Tensor dst = Tensor.full(b, 0f, 3);
        victim = dst;
        assertTrue(SafeTensors.loadInto(f, Map.of("w", dst), true).exact());
        assertTrue(dst.isClosed());
        assertEquals(0, b.bytesInUse(), "freed after the copy");
    }
}
