package dev.kiln.bench.jmh;

import dev.kiln.spi.Backend;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Backend storages filled with reproducible values in [-1, 1), for the JMH benchmarks. */
final class Fixtures {
    private Fixtures() {}

    static Storage random(Backend backend, long numel) {
        Storage s = backend.allocate(DType.FLOAT32, numel);
        SplittableRandom r = new SplittableRandom(numel);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(ValueLayout.JAVA_FLOAT, Math.max(1, numel));
            for (long i = 0; i < numel; i++) host.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (r.nextDouble() * 2 - 1));
            backend.copyFromHost(host, s);
        }
        return s;
    }
}
