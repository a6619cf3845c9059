package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.function.Executable;

/** What every check of the op suite needs: the backend it runs on, and tensors made there. */
public interface BackendUnderTest {
    /** The backend under test (a CUDA subclass aborts the test through an assumption when it is unavailable). */
    Backend backend();

    /** A FLOAT32 tensor of {@code values} on the backend under test. */
    default Tensor tensor(Nd values) {
        return Tensor.fromArray(backend(), values.toFloats(), values.shape());
    }

    /** A FLOAT32 tensor of {@code values} with {@code shape} on the backend under test. */
    default Tensor tensor(float[] values, int... shape) {
        return Tensor.fromArray(backend(), values, shape);
    }

    /** A FLOAT32 tensor of ones with {@code shape} on the backend under test. */
    default Tensor ones(int... shape) {
        return Tensor.full(backend(), 1f, shape);
    }

    /** Runs {@code call} in a scope, expects {@link IllegalArgumentException}, and checks its message holds every fragment. */
    default void rejects(Executable call, String... fragments) {
        try (var s = Kiln.scope()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
            for (String f : fragments) {
                assertTrue(e.getMessage() != null && e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
            }
        }
    }
}
