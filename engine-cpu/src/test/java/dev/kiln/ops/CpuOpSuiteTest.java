package dev.kiln.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.cpu.CpuBackend;
import dev.kiln.cpu.CpuBackendProvider;
import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.cpu.kernels.MicroKernels;
import dev.kiln.spi.Backend;
import dev.kiln.spi.ProbeResult;
import dev.kiln.testing.Compare;
import dev.kiln.testing.OpSuite;
import dev.kiln.testing.SmallCnn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The op suite on the CPU backend (2 threads). The build runs this class a second time with
 * {@code -Dkiln.cpu.simd=false} (surefire execution {@code scalar-path} in engine-cpu's pom),
 * because the GEMM micro-kernel is chosen once per JVM.
 */
class CpuOpSuiteTest extends OpSuite {
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

    /** The run uses the micro-kernel the {@code kiln.cpu.simd} property asks for (both runs are meaningful). */
    @Test
    void microKernelFollowsTheSimdProperty() {
        boolean scalarRequested = "false".equalsIgnoreCase(System.getProperty(MicroKernels.SIMD_PROPERTY));
        String expected = scalarRequested ? MicroKernels.scalar().name()
                : MicroKernels.vectorFamily().map(f -> f.preferred()).orElse(MicroKernels.scalar()).name();
        assertEquals(expected, MicroKernels.get().name(), MicroKernels.reason());
    }

    /**
     * Conv + batch norm + pool + dropout + loss, forward and backward with SGD updates, gives the
     * same bits on 1, 2, 3 and 5 threads, and with a backend sized by {@code kiln.cpu.threads}.
     */
    @Test
    void bitIdenticalForAnyThreadCount() {
        float[] reference;
        try (CpuBackend one = new CpuBackend(1)) {
            reference = SmallCnn.run(one, 17, 13, 2);
        }
        for (int threads : new int[] {2, 3, 5}) {
            try (CpuBackend b = new CpuBackend(threads)) {
                Compare.assertBitIdentical(threads + " threads vs 1", reference, SmallCnn.run(b, 17, 13, 2));
            }
        }
        String saved = System.getProperty(CpuThreadPool.THREADS_PROPERTY);
        System.setProperty(CpuThreadPool.THREADS_PROPERTY, "4");
        try {
            ProbeResult probe = new CpuBackendProvider().probe();
            try (CpuBackend b = (CpuBackend) probe.backend()) {
                assertEquals(4, b.pool().threads());
                Compare.assertBitIdentical("kiln.cpu.threads=4 vs 1 thread", reference, SmallCnn.run(b, 17, 13, 2));
            }
        } finally {
            if (saved == null) System.clearProperty(CpuThreadPool.THREADS_PROPERTY);
            else System.setProperty(CpuThreadPool.THREADS_PROPERTY, saved);
        }
    }
}
