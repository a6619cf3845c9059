package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** What the checkpoint tests share: a folder, a host-only backend, and tensors that are closed and checked for leaks after each test. */
abstract class CheckpointTestBase {
    @TempDir
    Path dir;

    final Backend backend = HostOnlyBackend.create();
    /** Tensors closed after the test. */
    final List<Tensor> made = new ArrayList<>();

    /** A new F32 tensor holding {@code v}, closed after the test. */
    Tensor floats(float... v) {
        Tensor t = Tensor.fromArray(backend, v, v.length);
        made.add(t);
        return t;
    }

    @AfterEach
    void noLeaks() {
        made.forEach(Tensor::close);
        assertEquals(0, backend.bytesInUse(), "nothing stays allocated, also after a refused load");
    }
}
