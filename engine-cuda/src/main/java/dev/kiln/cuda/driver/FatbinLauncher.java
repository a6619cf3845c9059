package dev.kiln.cuda.driver;

import dev.kiln.cuda.ffi.Driver;
import dev.kiln.cuda.memory.CachingAllocator;
import dev.kiln.cuda.memory.PinnedStaging;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The production {@link KernelLauncher}: kernels of Kiln's fatbin (loaded once with
 * {@code cuModuleLoadData}), functions looked up once per name, launched on the backend's compute
 * stream. Temporaries come from the caching allocator and go back to it at {@link #releaseTemporaries()},
 * which the backend calls when the op that uploaded them has queued its work (stream order keeps
 * them valid for that work). Used only under the backend's lock, with its context current.
 */
public final class FatbinLauncher implements KernelLauncher {
    private final Driver.Module module;
    private final Driver.Stream stream;
    private final CachingAllocator allocator;
    private final PinnedStaging staging;
    private final int maxThreadsPerBlock;
    private final Map<String, Driver.Function> functions = new HashMap<>();
    private final List<Long> temporaries = new ArrayList<>();

    /** A launcher for {@code module}'s kernels on {@code stream}. */
    public FatbinLauncher(Driver.Module module, Driver.Stream stream, CachingAllocator allocator, PinnedStaging staging,
                          int maxThreadsPerBlock) {
        this.module = module;
        this.stream = stream;
        this.allocator = allocator;
        this.staging = staging;
        this.maxThreadsPerBlock = maxThreadsPerBlock;
    }

    @Override
    public void launch(String kernel, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ, int sharedBytes,
                       Object... args) {
        Driver.Function f = functions.computeIfAbsent(kernel, module::function);
        try (Arena arena = Arena.ofConfined()) {
            f.launch(gridX, gridY, gridZ, blockX, blockY, blockZ, sharedBytes, stream, KernelParams.pack(arena, kernel, args));
        }
    }

    @Override
    public long uploadTemporary(MemorySegment host) {
        long address = allocator.allocate(Math.max(1, host.byteSize()));
        temporaries.add(address);
        staging.upload(host, address);
        return address;
    }

    /**
     * A scratch device block (workspace, constant) of at least {@code bytes} bytes, returned to the
     * allocator with the temporaries at {@link #releaseTemporaries()}.
     */
    public long scratch(long bytes) {
        if (bytes == 0) return 0;
        long address = allocator.allocate(bytes);
        temporaries.add(address);
        return address;
    }

    /** Returns this op's temporaries to the allocator (stream-ordered reuse). */
    public void releaseTemporaries() {
        for (long address : temporaries) allocator.free(address);
        temporaries.clear();
    }

    @Override
    public int maxThreadsPerBlock() {
        return maxThreadsPerBlock;
    }

    /**
     * The kernels launched so far (each looked up once, at its first launch): lets a test on a GPU
     * tell which kernels it actually ran.
     *
     * @return the names, a copy
     */
    public java.util.Set<String> launchedKernels() {
        return java.util.Set.copyOf(functions.keySet());
    }
}
