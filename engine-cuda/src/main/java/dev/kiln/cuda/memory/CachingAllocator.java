package dev.kiln.cuda.memory;

import dev.kiln.cuda.CudaMemoryStats;
import dev.kiln.cuda.CudaOutOfMemoryException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A size-bucketed caching allocator over {@link DeviceMemory}. Requests round up to a bucket
 * ({@link #bucketSize}); a freed block goes to its bucket's free list and is handed out again
 * for the same bucket. With one compute stream, reuse is stream-ordered by construction: any
 * kernel that reads a block later was queued after every kernel that used it before it was freed.
 * When the device is out of memory the cache is released (after a stream sync) and the request
 * retried once; then {@link CudaOutOfMemoryException}.
 *
 * <p>Thread-safe; {@link #free} does no native work, so a {@code Cleaner} thread may call it.
 */
public final class CachingAllocator {
    /** Granularity of small blocks. */
    static final long SMALL_GRANULE = 512;
    /** Above this, blocks round to {@link #LARGE_GRANULE}. */
    static final long SMALL_LIMIT = 1L << 20;
    /** Granularity of large blocks (2 MiB, the driver's own large-page size). */
    static final long LARGE_GRANULE = 2L << 20;

    private final DeviceMemory device;
    private final TreeMap<Long, ArrayDeque<Long>> freeBlocks = new TreeMap<>();
    private final Map<Long, Long> liveBlocks = new HashMap<>();
    private long allocated, cached, peak, deviceAllocations, cacheReleases;
    private boolean shutDown;

    /**
     * An allocator drawing from {@code device}.
     *
     * @param device the raw memory the blocks come from
     */
    public CachingAllocator(DeviceMemory device) {
        this.device = device;
    }

    /**
     * {@return the block size serving a request: multiples of 512 B up to 1 MiB, of 2 MiB above}
     *
     * @param bytes the requested size
     */
    public static long bucketSize(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("allocation size must be positive, got " + bytes);
        long granule = bytes <= SMALL_LIMIT ? SMALL_GRANULE : LARGE_GRANULE;
        return Math.addExact(bytes, granule - 1) / granule * granule;
    }

    /**
     * A device block of at least {@code bytes} bytes (0 for a request of 0 bytes).
     *
     * @param bytes the requested size
     * @return the block's device address, 0 for an empty request
     * @throws CudaOutOfMemoryException if the device cannot supply it even after releasing the cache
     */
    public synchronized long allocate(long bytes) {
        if (shutDown) throw new IllegalStateException("cuda: the allocator has been shut down");
        if (bytes == 0) return 0;
        long size = bucketSize(bytes);
        ArrayDeque<Long> bucket = freeBlocks.get(size);
        long address;
        if (bucket != null && !bucket.isEmpty()) {
            address = bucket.pop();
            if (bucket.isEmpty()) freeBlocks.remove(size);
            cached -= size;
        } else {
            address = device.tryAllocate(size);
            long released = 0;
            if (address == 0 && cached > 0) {
                released = cached;
                releaseCache();
                address = device.tryAllocate(size);
            }
            if (address == 0) throw new CudaOutOfMemoryException(bytes, device.freeBytes(), released, stats());
            deviceAllocations++;
        }
        liveBlocks.put(address, size);
        allocated += size;
        peak = Math.max(peak, allocated);
        return address;
    }

    /**
     * Returns a block to the cache. Work already queued on the stream may still use it; only later
     * work can receive it again.
     *
     * @param address a block from {@link #allocate}
     * @throws IllegalArgumentException if {@code address} is not a live block of this allocator
     */
    public synchronized void free(long address) {
        if (address == 0 || shutDown) return; // after releaseAll every block is already back with the device
        Long size = liveBlocks.remove(address);
        if (size == null) throw new IllegalArgumentException("free of an unknown device block 0x" + Long.toHexString(address));
        allocated -= size;
        cached += size;
        freeBlocks.computeIfAbsent(size, s -> new ArrayDeque<>()).push(address);
    }

    /** Gives every cached block back to the device (synchronising the stream first). */
    public synchronized void releaseCache() {
        if (freeBlocks.isEmpty()) return;
        device.synchronize();
        for (ArrayDeque<Long> bucket : freeBlocks.values()) {
            for (long address : bucket) device.free(address);
        }
        freeBlocks.clear();
        cached = 0;
        cacheReleases++;
    }

    /**
     * Releases the cache and every live block (for shutdown); later {@link #free} calls are ignored.
     * Every block is freed even when the synchronisation or a free fails (after a sticky kernel
     * fault they all do); the first failure is thrown at the end, the later ones suppressed on it.
     *
     * @return how many blocks were still live
     * @throws RuntimeException the first failure, after every block was attempted
     */
    public synchronized int releaseAll() {
        shutDown = true;
        RuntimeException failure = null;
        try {
            device.synchronize();
        } catch (RuntimeException e) {
            failure = e;
        }
        int live = liveBlocks.size();
        List<Long> blocks = new ArrayList<>(liveBlocks.keySet());
        for (ArrayDeque<Long> bucket : freeBlocks.values()) blocks.addAll(bucket);
        for (long address : blocks) {
            try {
                device.free(address);
            } catch (RuntimeException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        if (!freeBlocks.isEmpty()) cacheReleases++;
        freeBlocks.clear();
        liveBlocks.clear();
        cached = 0;
        allocated = 0;
        if (failure != null) throw failure;
        return live;
    }

    /** {@return current counters} */
    public synchronized CudaMemoryStats stats() {
        return new CudaMemoryStats(allocated, cached, peak, deviceAllocations, cacheReleases);
    }

    /**
     * {@return "1.5 MiB"-style text}
     *
     * @param bytes a size
     */
    public static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        do {
            v /= 1024;
            u++;
        } while (v >= 1024 && u < units.length - 1);
        return String.format(java.util.Locale.ROOT, "%.2f %s", v, units[u]);
    }
}
