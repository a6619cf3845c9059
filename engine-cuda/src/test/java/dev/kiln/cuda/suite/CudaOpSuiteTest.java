package dev.kiln.cuda.suite;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.cuda.CudaBackend;
import dev.kiln.cuda.CudaBackendProvider;
import dev.kiln.spi.Backend;
import dev.kiln.spi.ProbeResult;
import dev.kiln.testing.OpSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * The op suite on the CUDA backend: every op forward and backward against the float64
 * references, errors, autograd, dropout, batch norm, determinism and the 1,000-step leak test
 * (device bytes in use). Skipped, with the probe's reason, where no usable GPU is present.
 * Run with {@code -Dkiln.cuda.tf32=true} it checks the TF32 path against the same FP32
 * tolerances, which it is not expected to meet; the parity test has TF32 tolerances.
 */
@Tag("cuda")
class CudaOpSuiteTest extends OpSuite {
    private static ProbeResult probe;
    private static CudaBackend cuda;

    @BeforeAll
    static void start() {
        probe = new CudaBackendProvider().probe();
        if (probe.available()) cuda = (CudaBackend) probe.backend();
    }

    @AfterAll
    static void stop() {
        if (cuda != null) cuda.close();
    }

    @Override
    public Backend backend() {
        assumeTrue(probe.available(), () -> "CUDA backend unavailable: " + probe.reason());
        return cuda;
    }
}
