package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.Backend;
import dev.kiln.spi.PadSpec;
import dev.kiln.spi.PermuteSpec;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;

/**
 * Permute/transpose (contiguous copies) and explicit 2-D padding.
 *
 * <p>Permute is a contiguous copy on the tensor's own device ({@link Backend#stridedCopy}); there are
 * no strided views, so the result is already contiguous and needs no {@code contiguous()} call.
 * Its backward is a permute by the inverse permutation. It works for every dtype (the strided
 * copy moves 1-, 4- and 8-byte elements). matmul, linear and conv backward still use transpose flags
 * rather than a copy.
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

    /** Output dim i is input dim p[i]; unrecorded. One device-local SPI call, no host copy. */
    private static Tensor permuteCopy(Tensor x, int[] p) {
        PermuteSpec spec = new PermuteSpec(x.shape(), p);
        Tensor out = empty(x.backend(), x.dtype(), spec.outShape());
        if (spec.numel() == 0) return out;
        try (Pin px = pin("permute", x)) {
            x.backend().stridedCopy(spec.copySpec(), px.storage(), storage(out));
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
