package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.PadSpec;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Permute/transpose (contiguous copies) and explicit 2-D padding.
 *
 * <p>The SPI has no permute primitive, so permute round-trips through host memory: copy out,
 * reorder the 4-byte elements in Java, copy back. No hot path uses it (matmul, linear and
 * conv backward use transpose flags instead), and it works for every dtype since all current
 * dtypes are 4 bytes wide.
 */
final class Shaping {
    private Shaping() {}

    static Tensor permute(Tensor x, int[] perm) {
        Checks.notNull("permute", x, "input");
        int rank = x.rank();
        if (perm == null || perm.length != rank) {
            throw new IllegalArgumentException("permute: expected " + rank + " dimensions for a tensor of shape " + Shape.str(x.shape())
                    + ", got " + Arrays.toString(perm));
        }
        int[] p = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = Shape.axis("permute", perm[i], rank);
            if (seen[p[i]]) throw new IllegalArgumentException("permute: dimension " + p[i] + " repeats in " + Arrays.toString(perm));
            seen[p[i]] = true;
        }
        Tensor out = permuteCopy(x, p);
        if (Autograd.needsGrad(x)) {
            int[] inverse = new int[rank];
            for (int i = 0; i < rank; i++) inverse[p[i]] = i;
            Autograd.record("permute", out, new Tensor[] {x}, g -> new Tensor[] {permuteCopy(g, inverse)});
        }
        return out;
    }

    static Tensor transpose(Tensor x, int dim0, int dim1) {
        Checks.notNull("transpose", x, "input");
        int rank = x.rank();
        int d0 = Shape.axis("transpose", dim0, rank), d1 = Shape.axis("transpose", dim1, rank);
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) perm[i] = i;
        perm[d0] = d1;
        perm[d1] = d0;
        return permute(x, perm);
    }

    /** Output dim i is input dim p[i]; unrecorded. */
    private static Tensor permuteCopy(Tensor x, int[] p) {
        int[] inShape = x.shape();
        int rank = inShape.length;
        int[] outShape = new int[rank];
        for (int i = 0; i < rank; i++) outShape[i] = inShape[p[i]];
        Tensor out = empty(x.backend(), x.dtype(), outShape);
        int n = Math.toIntExact(x.numel());
        if (n == 0) return out;
        long[] inStrides = Shape.strides(inShape);
        long[] srcStride = new long[rank];
        for (int i = 0; i < rank; i++) srcStride[i] = inStrides[p[i]];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate((long) n * 4, 64);
            MemorySegment dst = arena.allocate((long) n * 4, 64);
            try (Pin px = pin("permute", x)) {
                x.backend().copyToHost(px.storage(), src);
            }
            int[] idx = new int[rank];
            long from = 0;
            for (int o = 0; o < n; o++) {
                dst.setAtIndex(ValueLayout.JAVA_INT, o, src.getAtIndex(ValueLayout.JAVA_INT, from));
                for (int d = rank - 1; d >= 0; d--) {
                    from += srcStride[d];
                    if (++idx[d] < outShape[d]) break;
                    from -= srcStride[d] * outShape[d];
                    idx[d] = 0;
                }
            }
            x.backend().copyFromHost(dst, storage(out));
        }
        return out;
    }

    static Tensor pad2d(Tensor x, int top, int bottom, int left, int right, PaddingMode mode) {
        Checks.notNull("pad2d", x, "input");
        Checks.floats("pad2d", x);
        Checks.rank("pad2d", x, 4, "input [N, C, H, W]");
        if (mode == null) throw new IllegalArgumentException("pad2d: mode must not be null");
        int[] s = x.shape();
        PadSpec spec;
        try {
            spec = new PadSpec(s[0], s[1], s[2], s[3], top, bottom, left, right,
                    mode == PaddingMode.CIRCULAR ? PadSpec.Mode.CIRCULAR : PadSpec.Mode.ZEROS);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (input shape " + Shape.str(s) + ")", e);
        }
        Tensor out = empty(x.backend(), spec.outputShape());
        if (out.numel() > 0) {
            try (Pin px = pin("pad2d", x)) {
                x.backend().pad2d(spec, px.storage(), storage(out));
            }
        }
        if (Autograd.needsGrad(x)) {
            Autograd.record("pad2d", out, new Tensor[] {x}, g -> {
                Tensor gx = empty(x.backend(), s);
                if (gx.numel() > 0) x.backend().pad2dBackward(spec, storage(g), storage(gx));
                return new Tensor[] {gx};
            });
        }
        return out;
    }
}
