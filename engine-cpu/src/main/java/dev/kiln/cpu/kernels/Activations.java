package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;

/**
 * Hot activation loops specialised per op (no per-element switch), over element ranges, with the
 * same results as {@link Elementwise}'s generic path; outputs may alias inputs. Blocks go through
 * heap copies of the float bits and the ReLU's test is {@link BiasGradient#positiveMask}: integer
 * operations C2 vectorises, where a float select compiles to a jump that mispredicts on every other
 * element.
 */
final class Activations {
    /** Elements per heap block. */
    private static final int BLOCK = 2048;

    private Activations() {}

    /** {@code out[i] = x[i] > 0 ? x[i] : 0} for i in [start, end). */
    static void relu(MemorySegment x, MemorySegment out, long start, long end) {
        int[] bits = Workspace.bits(Workspace.Bits.ACTIVATION, BLOCK);
        for (long b = start; b < end; b += BLOCK) {
            int n = (int) Math.min(BLOCK, end - b);
            MemorySegment.copy(x, JAVA_INT, b * Float.BYTES, bits, 0, n);
            for (int i = 0; i < n; i++) bits[i] &= BiasGradient.positiveMask(bits[i]);
            MemorySegment.copy(bits, 0, out, JAVA_INT, b * Float.BYTES, n);
        }
    }

    /** {@code gx[i] = x[i] > 0 ? gy[i] : 0} for i in [start, end). */
    static void reluBackward(MemorySegment x, MemorySegment gy, MemorySegment gx, long start, long end) {
        int[] xb = Workspace.bits(Workspace.Bits.ACTIVATION, BLOCK), gb = Workspace.bits(Workspace.Bits.ACTIVATION_GRADIENT, BLOCK);
        for (long b = start; b < end; b += BLOCK) {
            int n = (int) Math.min(BLOCK, end - b);
            MemorySegment.copy(x, JAVA_INT, b * Float.BYTES, xb, 0, n);
            MemorySegment.copy(gy, JAVA_INT, b * Float.BYTES, gb, 0, n);
            for (int i = 0; i < n; i++) gb[i] &= BiasGradient.positiveMask(xb[i]);
            MemorySegment.copy(gb, 0, gx, JAVA_INT, b * Float.BYTES, n);
        }
    }
}
