package dev.kiln.io;

import dev.kiln.spi.Backend;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Device;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A storage-only backend for engine-api tests, which have no real backend: allocation and host
 * copies work, every compute method throws. Enough to create, read and write tensors.
 */
public final class MemoryBackend {
    private MemoryBackend() {}

    private static final class Buffer implements Storage {
        private final Backend owner;
        private final DType dtype;
        private final long numel;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment memory;
        private final AtomicLong live;
        private boolean closed;

        Buffer(Backend owner, DType dtype, long numel, AtomicLong live) {
            this.owner = owner;
            this.dtype = dtype;
            this.numel = numel;
            this.memory = arena.allocate(Math.max(1, numel * dtype.byteSize()), 64);
            this.live = live;
            live.addAndGet(byteSize());
        }

        @Override public Backend backend() { return owner; }
        @Override public DType dtype() { return dtype; }
        @Override public long numel() { return numel; }
        @Override public boolean isClosed() { return closed; }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            live.addAndGet(-byteSize());
            arena.close();
        }
    }

    /** A fresh backend named "memory"; {@code bytesInUse} counts live storages. */
    public static Backend create() {
        AtomicLong live = new AtomicLong();
        Backend[] self = new Backend[1];
        self[0] = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, method, args) ->
                switch (method.getName()) {
                    case "name" -> "memory";
                    case "device" -> Device.CPU;
                    case "description" -> "memory-only test backend";
                    case "allocate" -> new Buffer(self[0], (DType) args[0], (Long) args[1], live);
                    case "copyFromHost" -> {
                        Buffer dst = (Buffer) args[1];
                        MemorySegment.copy((MemorySegment) args[0], 0, dst.memory, 0, dst.byteSize());
                        yield null;
                    }
                    case "copyToHost" -> {
                        Buffer src = (Buffer) args[0];
                        MemorySegment.copy(src.memory, 0, (MemorySegment) args[1], 0, src.byteSize());
                        yield null;
                    }
                    case "bytesInUse" -> live.get();
                    case "synchronize" -> null;
                    case "toString" -> "MemoryBackend";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException("memory test backend: " + method.getName());
                });
        return self[0];
    }
}
