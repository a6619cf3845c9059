package dev.kiln.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Freed storage memory kept for reuse, by exact byte size, up to a byte budget. A training loop
 * allocates the same sizes every step; reusing them skips the arena set-up, the zero-filling of
 * fresh memory and the cross-thread handshake of closing a shared arena. Thread-safe (storages are
 * also freed by the cleaner thread).
 */
final class SegmentCache {
    /** System property: the budget in bytes (0 disables the cache). */
    static final String BYTES_PROPERTY = "kiln.cpu.cacheBytes";
    private static final long DEFAULT_BYTES = 512L << 20;

    /** One arena and the segment it holds. */
    record Block(Arena arena, MemorySegment segment) {}

    private final long budget;
    private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
    private long cached;
    private boolean closed;

    SegmentCache() {
        this.budget = Long.getLong(BYTES_PROPERTY, DEFAULT_BYTES);
    }

    /** A block of exactly {@code bytes} bytes: a cached one, or a fresh one. */
    Block take(long bytes) {
        synchronized (this) {
            ArrayDeque<Block> q = free.get(bytes);
            if (q != null && !q.isEmpty()) {
                cached -= bytes;
                return q.pop();
            }
        }
        Arena arena = Arena.ofShared();
        return new Block(arena, arena.allocate(bytes, CpuStorage.ALIGNMENT));
    }

    /** Keeps {@code b} for reuse if the budget allows, else frees it. */
    void give(Block b) {
        long bytes = b.segment().byteSize();
        synchronized (this) {
            if (!closed && cached + bytes <= budget) {
                free.computeIfAbsent(bytes, k -> new ArrayDeque<>()).push(b);
                cached += bytes;
                return;
            }
        }
        b.arena().close();
    }

    /** Frees every cached block; blocks given back later are freed at once. */
    void clear() {
        synchronized (this) {
            closed = true;
            free.values().forEach(q -> q.forEach(b -> b.arena().close()));
            free.clear();
            cached = 0;
        }
    }
}
