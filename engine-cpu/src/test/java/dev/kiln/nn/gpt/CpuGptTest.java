package dev.kiln.nn.gpt;

import dev.kiln.cpu.CpuBackend;
import dev.kiln.spi.Backend;
import dev.kiln.testing.GptSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The GPT checks ({@link dev.kiln.testing.GptChecks}) on the CPU backend, 2 threads. */
class CpuGptTest extends GptSuite {
    private static CpuBackend cpu;

    @BeforeAll
    static void start() {
        cpu = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    @Override
    public Backend backend() {
        return cpu;
    }
}
