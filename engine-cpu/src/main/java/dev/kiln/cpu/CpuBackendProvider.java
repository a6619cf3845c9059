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

    /** Starts a backend sized by {@code kiln.cpu.threads} (or the processor count). */
    @Override
    public ProbeResult probe() {
        try {
            return ProbeResult.ok(new CpuBackend(CpuThreadPool.defaultThreads()));
        } catch (RuntimeException e) {
            return ProbeResult.unavailable("cpu", e.getMessage() + "; unset kiln.cpu.threads or give it a positive integer");
        }
    }
}
