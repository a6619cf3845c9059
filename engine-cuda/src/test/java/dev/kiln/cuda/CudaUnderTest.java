package dev.kiln.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.spi.ProbeResult;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The GPU of a CUDA test class, as a JUnit extension registered on a static field
 * ({@code @RegisterExtension static final CudaUnderTest GPU = new CudaUnderTest();}): probes the
 * CUDA backend once before the class, closes it after, and skips every test with the probe's
 * reason where no usable GPU is present.
 */
public final class CudaUnderTest implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    private ProbeResult probe;
    private CudaBackend backend;

    @Override
    public void beforeAll(ExtensionContext context) {
        probe = new CudaBackendProvider().probe();
        if (probe.available()) backend = (CudaBackend) probe.backend();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (backend != null) backend.close();
        backend = null;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        require();
    }

    /** The probed backend; skips the calling test (a JUnit assumption) when CUDA is unavailable. */
    public CudaBackend require() {
        assumeTrue(probe.available(), () -> "CUDA backend unavailable: " + probe.reason());
        return backend;
    }
}
