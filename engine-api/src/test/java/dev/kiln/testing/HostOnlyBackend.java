package dev.kiln.testing;

import dev.kiln.spi.Backend;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Device;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test backend that only stores memory, for engine-api tests, which have no real backend:
 * allocate, host copies, copy, fill, stridedCopy, the mask ops (cast, compare, where, triangle) and the
 * indexing primitives work, every other compute method throws. Enough to create, read
 * and write tensors and to test module structure (names, counts, initial values, freezing, moves).
 */
public final class HostOnlyBackend {
    private HostOnlyBackend() {}

    /** A storage in a shared arena, so any thread may touch it. */
    static final class HostStorage implements Storage {
        final Backend backend;
        final DType dtype;
        final long numel;
        final Arena arena = Arena.ofShared();
        final MemorySegment segment;
        final AtomicLong live;
        boolean closed;

        HostStorage(Backend backend, DType dtype, long numel, AtomicLong live) {
            this.backend = backend;
            this.dtype = dtype;
            this.numel = numel;
            this.segment = arena.allocate(Math.max(1, numel * dtype.byteSize()), 64);
            this.live = live;
            live.addAndGet(byteSize());
        }

        @Override public Backend backend() { return backend; }
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

    /** A new backend named "memory" on the CPU device; {@code bytesInUse} counts live storages. */
    public static Backend create() {
        return create("memory", Device.CPU);
    }

    /** A new backend named {@code name} on device {@code device}; {@code bytesInUse} counts live storages. */
    public static Backend create(String name, Device device) {
        return create(name, device, new java.util.ArrayList<>());
    }

    /**
     * Like {@link #create(String, Device)}, and records each fused optimizer call (adamStep, sgdStep)
     * in {@code calls} as {@code [methodName, spec, paramCount, lastListSize]} without computing anything.
     */
    public static Backend create(String name, Device device, java.util.List<Object[]> calls) {
        return create(name, device, calls, method -> { });
    }

    /** Like {@link #create(String, Device, java.util.List)}, and runs {@code before} with the method's name before each call. */
    public static Backend create(String name, Device device, java.util.List<Object[]> calls, java.util.function.Consumer<String> before) {
        AtomicLong live = new AtomicLong();
        Backend[] self = new Backend[1];
        self[0] = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, m, args) -> {
            before.accept(m.getName());
            switch (m.getName()) {
                case "name": return name;
                case "device": return device;
                case "description": return "host-only test backend " + name;
                case "allocate": return new HostStorage(self[0], (DType) args[0], (Long) args[1], live);
                case "copyFromHost": {
                    HostStorage dst = (HostStorage) args[1];
                    MemorySegment.copy((MemorySegment) args[0], 0, dst.segment, 0, dst.byteSize());
                    return null;
                }
                case "copyToHost": {
                    HostStorage src = (HostStorage) args[0];
                    MemorySegment.copy(src.segment, 0, (MemorySegment) args[1], 0, src.byteSize());
                    return null;
                }
                case "copy": {
                    HostStorage src = (HostStorage) args[0], dst = (HostStorage) args[1];
                    MemorySegment.copy(src.segment, 0, dst.segment, 0, src.byteSize());
                    return null;
                }
                case "fill": {
                    HostStorage dst = (HostStorage) args[0];
                    float v = (Float) args[1];
                    for (long i = 0; i < dst.numel; i++) {
                        switch (dst.dtype) {
                            case INT32 -> dst.segment.setAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, i, (int) v);
                            case INT64 -> dst.segment.setAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG, i, (long) v);
                            case BOOL -> dst.segment.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, v != 0f ? (byte) 1 : 0);
                            case FLOAT32 -> dst.segment.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, v);
                        }
                    }
                    return null;
                }
                case "stridedCopy": {  // naive reference: index j reads inOffset + sum(j[d] * inStride[d]), writes likewise
                    dev.kiln.spi.StridedCopySpec spec = (dev.kiln.spi.StridedCopySpec) args[0];
                    HostStorage src = (HostStorage) args[1], dst = (HostStorage) args[2];
                    int[] shape = spec.shape();
                    long[] is = spec.inStrides(), os = spec.outStrides();
                    for (long i = 0; i < spec.numel(); i++) {
                        long rem = i, from = spec.inOffset(), to = spec.outOffset();
                        for (int d = shape.length - 1; d >= 0; d--) {
                            from += rem % shape[d] * is[d];
                            to += rem % shape[d] * os[d];
                            rem /= shape[d];
                        }
                        int w = src.dtype.byteSize();  // any width: the element's bytes, moved as they are
                        MemorySegment.copy(src.segment, from * w, dst.segment, to * w, w);
                    }
                    return null;
                }
                // ---- masks and dtypes (issue 11) ----
                case "cast", "compare", "where", "triangle": return HostMaskOps.run(m.getName(), args);
                case "bytesInUse": return live.get();
                case "adamStep", "sgdStep": {
                    calls.add(new Object[] {m.getName(), args[0], ((java.util.List<?>) args[1]).size(),
                            ((java.util.List<?>) args[args.length - 1]).size()});
                    return null;
                }
                case "synchronize": return null;
                case "toString": return "HostOnlyBackend(" + name + ")";
                case "hashCode": return System.identityHashCode(proxy);
                case "equals": return proxy == args[0];
                // ---- indexing (issue 11) ----
                case "indexGather", "indexScatterAdd", "oneHot", "indexRange": return HostIndexing.call(m.getName(), args);
                default: throw new UnsupportedOperationException("host-only test backend: " + m.getName() + " is not supported");
            }
        });
        return self[0];
    }
}
