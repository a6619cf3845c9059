package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * Hot activation loops specialised per op (no per-element switch), over element ranges.
 * Written as plain counted loops with the same arithmetic as {@link Elementwise}'s generic path,
 * so C2 can unroll them; outputs may alias inputs.
 */
final class Activations {
    private Activations() {}

    /** {@code out[i] = x[i] > 0 ? x[i] : 0} for i in [start, end). */
    static void relu(MemorySegment x, MemorySegment out, long start, long end) {
        for (long i = start; i < end; i++) {
            float v = x.getAtIndex(JAVA_FLOAT, i);
            out.setAtIndex(JAVA_FLOAT, i, v > 0 ? v : 0f);
        }
    }

    /** {@code gx[i] = x[i] > 0 ? gy[i] : 0} for i in [start, end). */
    static void reluBackward(MemorySegment x, MemorySegment gy, MemorySegment gx, long start, long end) {
        for (long i = start; i < end; i++) {
            // Both loads first: a select, not a branch that mispredicts on every other element.
            float g = gy.getAtIndex(JAVA_FLOAT, i), v = x.getAtIndex(JAVA_FLOAT, i);
            gx.setAtIndex(JAVA_FLOAT, i, v > 0 ? g : 0f);
        }
    }
}
