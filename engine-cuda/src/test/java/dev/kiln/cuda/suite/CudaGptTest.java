package dev.kiln.cuda.suite;

import dev.kiln.cuda.CudaUnderTest;
import dev.kiln.spi.Backend;
import dev.kiln.testing.GptSuite;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The GPT checks ({@link dev.kiln.testing.GptChecks}) on the CUDA backend; skipped, with the probe's reason, without a usable GPU. */
@Tag("cuda")
class CudaGptTest extends GptSuite {
    @RegisterExtension
    static final CudaUnderTest GPU = new CudaUnderTest();

    @Override
    public Backend backend() {
        return GPU.require();
    }
}
