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

    /** Heap copies that may be live at the same time on one thread. */
    enum Heap { INPUT, GRADIENT, COLUMNS, ROW_A, ROW_B, ROW_C, ROW_D }

    /** Heap copies of float bits, for branch-free integer loops C2 vectorises. */
    enum Bits { FIRST, SECOND, ACTIVATION, ACTIVATION_GRADIENT }

    private static final ThreadLocal<MemorySegment[]> BUFFERS = ThreadLocal.withInitial(() -> new MemorySegment[Slot.values().length]);
    private static final ThreadLocal<float[][]> ARRAYS = ThreadLocal.withInitial(() -> new float[Heap.values().length][0]);

    private static final ThreadLocal<int[][]> BITS = ThreadLocal.withInitial(() -> new int[Bits.values().length][0]);

    private Workspace() {}

    /** This thread's int array for {@code slot}, at least {@code ints} long; contents undefined. */
    static int[] bits(Bits slot, long ints) {
        int[][] held = BITS.get();
        if (held[slot.ordinal()].length < ints) held[slot.ordinal()] = new int[Math.toIntExact(Math.max(ints, held[slot.ordinal()].length * 3L / 2))];
        return held[slot.ordinal()];
    }

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

    /** This thread's array for {@code slot}, at least {@code floats} long; contents undefined. */
    static float[] array(Heap slot, long floats) {
        float[][] held = ARRAYS.get();
        if (held[slot.ordinal()].length < floats) held[slot.ordinal()] = new float[Math.toIntExact(Math.max(floats, held[slot.ordinal()].length * 3L / 2))];
        return held[slot.ordinal()];
    }

    /** This thread's array for {@code slot} holding {@code floats} floats of {@code src} from element {@code off}. */
    static float[] copyOf(Heap slot, MemorySegment src, long off, long floats) {
        float[] a = array(slot, floats);
        MemorySegment.copy(src, java.lang.foreign.ValueLayout.JAVA_FLOAT, off * Float.BYTES, a, 0, Math.toIntExact(floats));
        return a;
    }
}
