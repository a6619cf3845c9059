package dev.kiln.ops;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;

/**
 * Validation shared by every op. Each failure is an {@link IllegalArgumentException} whose
 * message names the op, what it expected and what it got, with the shapes involved, so a
 * user can find the offending call without a debugger.
 */
final class Checks {
    private Checks() {}

    /** Throws when any of {@code ts} is null; {@code names} label them in order. */
    static void notNull(String op, Tensor[] ts, String... names) {
        for (int i = 0; i < ts.length; i++) {
            if (ts[i] == null) throw new IllegalArgumentException(op + ": " + names[i] + " must not be null");
        }
    }

    /** Throws when {@code t} is null. */
    static Tensor notNull(String op, Tensor t, String name) {
        if (t == null) throw new IllegalArgumentException(op + ": " + name + " must not be null");
        return t;
    }

    /** Every non-null tensor is FLOAT32. */
    static void floats(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && t.dtype() != DType.FLOAT32) {
                throw new IllegalArgumentException(op + ": expected FLOAT32 tensors, got " + t.dtype() + " (shape " + Shape.str(t.shape()) + ")");
            }
        }
    }

    /** Every non-null tensor lives on the first one's backend. */
    static void sameDevice(String op, Tensor... ts) {
        Tensor first = null;
        for (Tensor t : ts) {
            if (t == null) continue;
            if (first == null) {
                first = t;
            } else if (t.backend() != first.backend()) {
                boolean sameDevice = t.device().equals(first.device());
                String expected = sameDevice ? "the backend '" + first.backend().description() + "'" : first.device().toString();
                String actual = sameDevice ? "another " + t.backend().name() + " backend ('" + t.backend().description() + "')"
                        : t.device().toString();
                throw new IllegalArgumentException(op + ": tensors are on different " + (sameDevice ? "backends" : "devices")
                        + ": expected every tensor on " + expected + " (like the one of shape " + Shape.str(first.shape())
                        + "), got one of shape " + Shape.str(t.shape()) + " on " + actual + "; move it with to(...)");
            }
        }
    }

    /** Non-null, FLOAT32 and on one device: the common precondition of a differentiable op. */
    static void operands(String op, Tensor... ts) {
        for (Tensor t : ts) if (t == null) throw new IllegalArgumentException(op + ": tensor argument must not be null");
        floats(op, ts);
        sameDevice(op, ts);
    }

    /** {@code t} has rank {@code rank}; {@code what} describes the expected layout, e.g. "input [N, C, H, W]". */
    static void rank(String op, Tensor t, int rank, String what) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(op + ": expected a " + rank + "-D " + what + ", got shape " + Shape.str(t.shape()));
        }
    }

    /** An optional per-channel tensor (bias, gamma, running stats) has shape {@code [c]}. */
    static void vector(String op, String name, Tensor t, int c) {
        if (t != null && !Arrays.equals(t.shape(), new int[] {c})) {
            throw new IllegalArgumentException(op + ": " + name + " has shape " + Shape.str(t.shape()) + ", expected [" + c + "]");
        }
    }

    /** Normalised, sorted, distinct axes of a tensor of {@code shape}; empty means every axis. */
    static int[] axes(String op, int[] shape, int[] axes) {
        int rank = shape.length;
        if (axes == null || axes.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        boolean[] seen = new boolean[rank];
        for (int a : axes) {
            int n = Shape.axis(op, a, shape);
            if (seen[n]) {
                throw new IllegalArgumentException(op + ": dimension " + n + " appears more than once in " + Arrays.toString(axes)
                        + " (tensor of shape " + Shape.str(shape) + ")");
            }
            seen[n] = true;
        }
        int[] out = new int[axes.length];
        int k = 0;
        for (int i = 0; i < rank; i++) if (seen[i]) out[k++] = i;
        return out;
    }
}
