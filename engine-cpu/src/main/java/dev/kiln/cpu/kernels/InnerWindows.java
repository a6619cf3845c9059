package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.spi.Pool2dSpec;
import java.lang.foreign.MemorySegment;

/**
 * Max pooling when every window lies inside the input (no padding, no dilation, windows not
 * past the edge): no bounds tests per cell, and the common 2 x 2 window unrolled. Same results
 * as {@link Pool2d}'s general path: the first maximum in row-major order wins, and a NaN wins over
 * any number (the first NaN is kept).
 */
final class InnerWindows {
    private InnerWindows() {}

    /** True when this fast path computes {@code s} exactly. */
    static boolean applies(Pool2dSpec s) {
        return s.padH() == 0 && s.padW() == 0 && s.dilationH() == 1 && s.dilationW() == 1
                && (s.outH() - 1) * s.strideH() + s.kh() <= s.h() && (s.outW() - 1) * s.strideW() + s.kw() <= s.w();
    }

    /** Plane {@code pl}: {@code y} = max of each window. */
    static void maxForward(Pool2dSpec s, MemorySegment x, MemorySegment y, long pl) {
        int oh = s.outH(), ow = s.outW(), w = s.w();
        long xb = pl * s.h() * w, yb = pl * oh * ow;
        boolean twoByTwo = s.kh() == 2 && s.kw() == 2;
        for (int oy = 0; oy < oh; oy++) {
            long row = xb + (long) oy * s.strideH() * w, out = yb + (long) oy * ow;
            for (int ox = 0; ox < ow; ox++) {
                long c = row + (long) ox * s.strideW();
                // Math.max is branch-free and propagates NaN; it differs from a first-wins scan only in the sign of a zero maximum.
                float m = twoByTwo
                        ? Math.max(Math.max(x.getAtIndex(JAVA_FLOAT, c), x.getAtIndex(JAVA_FLOAT, c + 1)),
                                   Math.max(x.getAtIndex(JAVA_FLOAT, c + w), x.getAtIndex(JAVA_FLOAT, c + w + 1)))
                        : x.getAtIndex(JAVA_FLOAT, argmax(s, x, c));
                y.setAtIndex(JAVA_FLOAT, out + ox, m);
            }
        }
    }

    /**
     * Planes [from, to) of a {@link #disjoint2x2} pool's forward, on heap copies (where C2
     * compiles the loop without per-access checks): the same {@code Math.max} expression as
     * {@link #maxForward}.
     */
    static void maxForward2x2(Pool2dSpec s, MemorySegment x, MemorySegment y, long from, long to) {
        int oh = s.outH(), ow = s.outW(), w = s.w(), plane = s.h() * w, outPlane = oh * ow, planes = (int) (to - from);
        float[] xa = Workspace.copyOf(Workspace.Heap.INPUT, x, from * plane, (long) planes * plane);
        float[] ya = Workspace.array(Workspace.Heap.GRADIENT, (long) planes * outPlane);
        for (int pl = 0; pl < planes; pl++) maxPlane2x2(xa, pl * plane, w, oh, ow, ya, pl * outPlane);
        MemorySegment.copy(ya, 0, y, JAVA_FLOAT, from * outPlane * Float.BYTES, planes * outPlane);
    }

    /** One plane of a {@link #disjoint2x2} pool: the plane at {@code src} of {@code xa} ({@code w} wide) into {@code oh x ow} at {@code dst} of {@code ya}. */
    private static void maxPlane2x2(float[] xa, int src, int w, int oh, int ow, float[] ya, int dst) {
        for (int oy = 0; oy < oh; oy++) {
            int c = src + oy * 2 * w, o = dst + oy * ow;
            for (int ox = 0; ox < ow; ox++, c += 2, o++) {
                ya[o] = Math.max(Math.max(xa[c], xa[c + 1]), Math.max(xa[c + w], xa[c + w + 1]));
            }
        }
    }

    /**
     * The {@link #disjoint2x2} pool of one convolution chunk's output, as the fused
     * convolution + ReLU + max pool computes it while the chunk is in cache: {@code src} holds
     * {@code planes} rows (channels {@code c0 ..} of the pooled tensor) of {@code cols} floats from
     * element {@code off}, each row {@code images} input planes side by side, the first image being
     * {@code first}. Pooled planes go to their place in {@code y [n, c, oh, ow]}, by the same
     * expression as {@link #maxForward2x2}.
     */
    static void maxPoolChunk2x2(Pool2dSpec s, MemorySegment src, long off, int cols, int images, int first, int c0, int planes, MemorySegment y) {
        int oh = s.outH(), ow = s.outW(), w = s.w(), plane = s.h() * w, outPlane = oh * ow;
        float[] xa = Workspace.copyOf(Workspace.Heap.GRADIENT, src, off, (long) planes * cols);
        float[] ya = Workspace.array(Workspace.Heap.COLUMNS, (long) planes * images * outPlane);
        for (int o = 0; o < planes; o++) {
            for (int i = 0; i < images; i++) maxPlane2x2(xa, o * cols + i * plane, w, oh, ow, ya, (o * images + i) * outPlane);
        }
        for (int o = 0; o < planes; o++) {
            for (int i = 0; i < images; i++) {
                long dst = ((long) (first + i) * s.c() + c0 + o) * outPlane;
                MemorySegment.copy(ya, (o * images + i) * outPlane, y, JAVA_FLOAT, dst * Float.BYTES, outPlane);
            }
        }
    }

    /**
     * Planes per call of {@link #maxForward2x2} / {@link #maxBackward2x2}: about
     * {@link #BLOCK_FLOATS} input floats, so the heap copies stay in L1/L2 instead of going out to
     * memory and back (each element's result does not depend on the blocking).
     */
    static long planesPerBlock(Pool2dSpec s) {
        return Math.max(1, BLOCK_FLOATS / ((long) s.h() * s.w()));
    }

    /** Input floats per heap-copy block: 16 KiB, a third of L1d, leaving room for the outputs. */
    private static final long BLOCK_FLOATS = 4096;

    /** True for 2 x 2 windows with stride 2 (each input cell in at most one window). */
    static boolean disjoint2x2(Pool2dSpec s) {
        return s.kh() == 2 && s.kw() == 2 && s.strideH() == 2 && s.strideW() == 2;
    }

    /**
     * Plane {@code pl}: {@code gx} zero except each window's first maximum (the first cell equal
     * to the forward output {@code y}, or the first NaN), which receives its {@code gy}.
     */
    static void maxBackward(Pool2dSpec s, MemorySegment x, MemorySegment y, MemorySegment gy, MemorySegment gx, long pl) {
        int oh = s.outH(), ow = s.outW(), w = s.w();
        long xb = pl * s.h() * w, yb = pl * oh * ow;
        gx.asSlice(xb * Float.BYTES, (long) s.h() * w * Float.BYTES).fill((byte) 0);
        for (int oy = 0; oy < oh; oy++) {
            long row = xb + (long) oy * s.strideH() * w, g = yb + (long) oy * ow;
            for (int ox = 0; ox < ow; ox++) {
                long at = argmax(s, x, row + (long) ox * s.strideW());
                gx.setAtIndex(JAVA_FLOAT, at, gx.getAtIndex(JAVA_FLOAT, at) + gy.getAtIndex(JAVA_FLOAT, g + ox));
            }
        }
    }

    /**
     * Planes [from, to) of a {@link #disjoint2x2} pool's backward, on heap copies: every cell of a
     * window is written once, by masks rather than branches (the winner is unpredictable), and cells
     * no window covers (an odd last row or column) are zero.
     */
    static void maxBackward2x2(Pool2dSpec s, MemorySegment x, MemorySegment y, MemorySegment gy, MemorySegment gx, long from, long to) {
        int oh = s.outH(), ow = s.outW(), w = s.w(), plane = s.h() * w, outPlane = oh * ow, planes = (int) (to - from);
        float[] xa = Workspace.copyOf(Workspace.Heap.INPUT, x, from * plane, (long) planes * plane);
        // y then gy, back to back in one array.
        float[] ya = Workspace.array(Workspace.Heap.GRADIENT, 2L * planes * outPlane);
        MemorySegment.copy(y, JAVA_FLOAT, from * outPlane * Float.BYTES, ya, 0, planes * outPlane);
        MemorySegment.copy(gy, JAVA_FLOAT, from * outPlane * Float.BYTES, ya, planes * outPlane, planes * outPlane);
        float[] ga = Workspace.array(Workspace.Heap.COLUMNS, (long) planes * plane);
        if (oh * 2 != s.h() || ow * 2 != w) java.util.Arrays.fill(ga, 0, planes * plane, 0f);
        int gyBase = planes * outPlane;
        for (int pl = 0; pl < planes; pl++) {
            for (int oy = 0; oy < oh; oy++) {
                int c = pl * plane + oy * 2 * w, o = pl * outPlane + oy * ow;
                for (int ox = 0; ox < ow; ox++, c += 2, o++) {
                    float m = ya[o];
                    int e0 = hit(xa[c], m), e1 = hit(xa[c + 1], m) & ~e0, e2 = hit(xa[c + w], m) & ~(e0 | e1), e3 = ~(e0 | e1 | e2);
                    int bits = Float.floatToRawIntBits(ya[gyBase + o]);
                    ga[c] = Float.intBitsToFloat(bits & e0);
                    ga[c + 1] = Float.intBitsToFloat(bits & e1);
                    ga[c + w] = Float.intBitsToFloat(bits & e2);
                    ga[c + w + 1] = Float.intBitsToFloat(bits & e3);
                }
            }
        }
        MemorySegment.copy(ga, 0, gx, JAVA_FLOAT, from * plane * Float.BYTES, planes * plane);
    }

    /** All ones when {@code v} is the window's maximum {@code m} (equal, or NaN), else 0. */
    static int hit(float v, float m) {
        // (v == m) | (v != v) without branches: compare results turned into 0/1 then negated.
        return -((v == m ? 1 : 0) | (v != v ? 1 : 0));
    }

    /** Element index of the first maximum of the window whose top-left cell is {@code corner}. */
    private static long argmax(Pool2dSpec s, MemorySegment x, long corner) {
        int w = s.w();
        if (s.kh() == 2 && s.kw() == 2) {
            // Selects rather than branches: on real data the winner is unpredictable.
            float v0 = x.getAtIndex(JAVA_FLOAT, corner), v1 = x.getAtIndex(JAVA_FLOAT, corner + 1);
            float v2 = x.getAtIndex(JAVA_FLOAT, corner + w), v3 = x.getAtIndex(JAVA_FLOAT, corner + w + 1);
            boolean w1 = wins(v1, v0);
            float top = w1 ? v1 : v0;
            int topAt = w1 ? 1 : 0;
            boolean w3 = wins(v3, v2);
            float bottom = w3 ? v3 : v2;
            int bottomAt = w3 ? w + 1 : w;
            return corner + (wins(bottom, top) ? bottomAt : topAt);
        }
        long best = corner;
        float bv = x.getAtIndex(JAVA_FLOAT, corner);
        for (int ki = 0; ki < s.kh(); ki++) {
            for (int kj = 0; kj < s.kw(); kj++) {
                long at = corner + (long) ki * w + kj;
                float v = x.getAtIndex(JAVA_FLOAT, at);
                if (wins(v, bv)) {
                    best = at;
                    bv = v;
                }
            }
        }
        return best;
    }

    /** Whether {@code v} replaces the current best {@code bv}: larger, or the first NaN. */
    private static boolean wins(float v, float bv) {
        return v > bv | (v != v & bv == bv); // no short-circuit: no branches
    }
}
