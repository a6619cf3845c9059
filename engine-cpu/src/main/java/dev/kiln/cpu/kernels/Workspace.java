package dev.kiln.cpu.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread native scratch buffers, one per {@link Slot}, grown on demand and reused, so kernels
 * allocate nothing per call once warm. A buffer is valid until the same thread asks for the same
 * slot again; memory is reclaimed by the GC when the thread ends.
 */
final class Workspace {
    /** Independent uses that may be live at the same time on one thread. */
    enum Slot { GEMM_OUT, COLUMNS, PARTIALS }

    private static final ThreadLocal<MemorySegment[]> BUFFERS = ThreadLocal.withInitial(() -> new MemorySegment[Slot.values().length]);

    private Workspace() {}

    /** This thread's buffer for {@code slot}, at least {@code floats} floats, 64-byte aligned; contents undefined. */
    static MemorySegment floats(Slot slot, long floats) {
        MemorySegment[] held = BUFFERS.get();
        MemorySegment s = held[slot.ordinal()];
        long bytes = Math.max(64, floats * Float.BYTES);
        if (s == null || s.byteSize() < bytes) {
            // Grow by half again so slowly rising sizes do not reallocate every call.
            s = Arena.ofAuto().allocate(Math.max(bytes, s == null ? 0 : s.byteSize() * 3 / 2), 64);
            held[slot.ordinal()] = s;
        }
        return s;
    }
}
