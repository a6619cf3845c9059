package dev.kiln.cpu;

import dev.kiln.spi.BackendProvider;
import dev.kiln.spi.ProbeResult;

/** Service entry for the pure-Java CPU backend: always available, lowest rank. */
public final class CpuBackendProvider implements BackendProvider {
    /** Constructs nothing; the pool starts in {@link #probe()}. */
    public CpuBackendProvider() {}

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int rank() {
        return 0;
    }

    /**
     * Starts a backend sized by {@code kiln.cpu.threads} (or the processor count), and the
     * background kernel warm-up ({@link CpuWarmup}) with its first allocation, unless
     * {@code kiln.cpu.warmup=false}.
     */
    @Override
    public ProbeResult probe() {
        try {
            CpuBackend backend = new CpuBackend(CpuThreadPool.defaultThreads());
            backend.warmUpOnFirstUse(); // issue 13: not when merely probed (a GPU machine probes the CPU too)
            return ProbeResult.ok(backend);
        } catch (RuntimeException e) {
            return ProbeResult.unavailable("cpu", e.getMessage() + "; unset kiln.cpu.threads or give it a positive integer");
        }
    }
}
