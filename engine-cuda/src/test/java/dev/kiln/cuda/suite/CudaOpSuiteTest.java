package dev.kiln.cuda.suite;

import dev.kiln.cuda.CudaUnderTest;
import dev.kiln.spi.Backend;
import dev.kiln.testing.OpSuite;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The op suite on the CUDA backend: every op forward and backward against the float64
 * references, errors, autograd, dropout, batch norm, determinism and the 1,000-step leak test
 * (device bytes in use). Skipped, with the probe's reason, where no usable GPU is present.
 * Run with {@code -Dkiln.cuda.tf32=true} it checks the TF32 path against the same FP32
 * tolerances, which it is not expected to meet; the parity test has TF32 tolerances.
 */
@Tag("cuda")
class CudaOpSuiteTest extends OpSuite {
    @RegisterExtension
    static final CudaUnderTest GPU = new CudaUnderTest();

    @Override
    public Backend backend() {
        return GPU.require();
    }
}
