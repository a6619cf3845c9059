package dev.kiln.testing;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;

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
}
