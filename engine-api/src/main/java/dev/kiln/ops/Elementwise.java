package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.Broadcast;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.spi.ScalarOp;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;

/**
 * Broadcasting binary arithmetic, tensor-scalar arithmetic, and the two gradient helpers
 * every broadcasting op needs: {@link #sumTo} (reduce a gradient to an operand's shape) and
 * {@link #expand} (broadcast a reduced gradient back out).
 */
final class Elementwise {
    private Elementwise() {}

    private static String name(BinaryOp op) {
        return switch (op) {
            case ADD -> "add";
            case SUB -> "sub";
            case MUL -> "mul";
            case DIV -> "div";
        };
    }

    private static String name(ScalarOp op) {
        return switch (op) {
            case ADD -> "add";
            case MUL -> "mul";
            case POW -> "pow";
            case RSUB -> "rsub";
            case RDIV -> "rdiv";
        };
    }

    /** {@code a (op) b} with NumPy broadcasting, recorded for autograd. */
    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        String name = name(op);
        Checks.operands(name, a, b);
        Tensor out = raw(op, a, b);
        if (Autograd.needsGrad(a, b)) {
            int[] aShape = a.shape(), bShape = b.shape();
            boolean ga = a.requiresGrad(), gb = b.requiresGrad();
            Autograd.record(name, out, new Tensor[] {a, b}, g -> switch (op) {
                case ADD -> new Tensor[] {ga ? sumTo(g, aShape) : null, gb ? sumTo(g, bShape) : null};
                case SUB -> new Tensor[] {ga ? sumTo(g, aShape) : null, gb ? negSumTo(g, bShape) : null};
                case MUL -> new Tensor[] {ga ? productSumTo(g, b, aShape) : null, gb ? productSumTo(g, a, bShape) : null};
                case DIV -> new Tensor[] {ga ? quotientSumTo(g, b, aShape) : null, gb ? divisorGrad(g, a, b) : null};
            });
        }
        return out;
    }

    /** {@code a (op) b} on the SPI without validation or recording (inputs already checked). */
    static Tensor raw(BinaryOp op, Tensor a, Tensor b) {
        String name = name(op);
        Broadcast spec = Broadcast.of(name, a.shape(), b.shape());
        Tensor out = empty(a.backend(), spec.outShape());
        try (Pin pa = pin(name, a); Pin pb = pin(name, b)) {
            a.backend().binary(op, spec, pa.storage(), pb.storage(), storage(out));
        }
        return out;
    }

    private static Tensor negSumTo(Tensor g, int[] shape) {
        Tensor reduced = sumTo(g, shape);
        Tensor out = rawScalar(ScalarOp.MUL, reduced, -1f);
        if (reduced != g) reduced.close();
        return out;
    }

    private static Tensor productSumTo(Tensor g, Tensor other, int[] shape) {
        Tensor p = raw(BinaryOp.MUL, g, other);
        return sumToAndClose(p, shape);
    }

    private static Tensor quotientSumTo(Tensor g, Tensor b, int[] shape) {
        Tensor q = raw(BinaryOp.DIV, g, b);
        return sumToAndClose(q, shape);
    }

    /** d(a/b)/db = -a/b^2, times g, reduced to b's shape. */
    private static Tensor divisorGrad(Tensor g, Tensor a, Tensor b) {
        Tensor ga = raw(BinaryOp.MUL, g, a);
        Tensor b2 = raw(BinaryOp.MUL, b, b);
        Tensor q = raw(BinaryOp.DIV, ga, b2);
        ga.close();
        b2.close();
        Tensor reduced = sumToAndClose(q, b.shape());
        Tensor out = rawScalar(ScalarOp.MUL, reduced, -1f);
        reduced.close();
        return out;
    }

    private static Tensor sumToAndClose(Tensor t, int[] shape) {
        Tensor r = sumTo(t, shape);
        if (r != t) t.close();
        return r;
    }

    /**
     * Sums {@code g} over the axes along which {@code shape} was broadcast to g's shape, giving
     * a tensor of exactly {@code shape}; returns g itself when the shapes already match.
     */
    static Tensor sumTo(Tensor g, int[] shape) {
        int[] gShape = g.shape();
        if (Arrays.equals(gShape, shape)) return g;
        int lead = gShape.length - shape.length;
        int[] axes = new int[gShape.length];
        int k = 0;
        for (int i = 0; i < gShape.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && gShape[i] != 1)) axes[k++] = i;
        }
        Tensor out = empty(g.backend(), shape);
        try (Pin pg = pin("sum_to", g)) {
            if (k == 0) g.backend().copy(pg.storage(), storage(out));
            else g.backend().sum(new ReduceSpec(gShape, Arrays.copyOf(axes, k)), pg.storage(), storage(out));
        }
        return out;
    }

    /**
     * {@code factor * g} broadcast to {@code shape}, where g's elements are laid out as
     * {@code gShape} (a shape broadcastable to {@code shape}; g's own shape is ignored).
     */
    static Tensor expand(Tensor g, int[] gShape, int[] shape, float factor) {
        Backend backend = g.backend();
        Tensor s = Tensor.full(backend, factor);
        Tensor out = empty(backend, shape);
        try (Pin pg = pin("expand", g)) {
            backend.binary(BinaryOp.MUL, new Broadcast(shape, gShape, new int[0]), pg.storage(), storage(s), storage(out));
        }
        s.close();
        return out;
    }

    // ---- tensor (op) scalar ----

    /** {@code x (op) s} on the SPI, unrecorded. */
    static Tensor rawScalar(ScalarOp op, Tensor x, float s) {
        Tensor out = empty(x.backend(), x.shape());
        try (Pin px = pin(name(op), x)) {
            x.backend().scalar(op, px.storage(), s, storage(out));
        }
        return out;
    }

    static Tensor addScalar(Tensor x, float s) {
        check("add", x);
        Tensor out = rawScalar(ScalarOp.ADD, x, s);
        if (Autograd.needsGrad(x)) Autograd.record("add", out, new Tensor[] {x}, g -> new Tensor[] {g});
        return out;
    }

    static Tensor mulScalar(Tensor x, float s) {
        check("mul", x);
        Tensor out = rawScalar(ScalarOp.MUL, x, s);
        if (Autograd.needsGrad(x)) Autograd.record("mul", out, new Tensor[] {x}, g -> new Tensor[] {rawScalar(ScalarOp.MUL, g, s)});
        return out;
    }

    /** {@code x^s}; gradient {@code g * s * x^(s-1)}. */
    static Tensor pow(Tensor x, float s) {
        check("pow", x);
        Tensor out = rawScalar(ScalarOp.POW, x, s);
        if (Autograd.needsGrad(x)) {
            Autograd.record("pow", out, new Tensor[] {x}, g -> {
                if (s == 0f) return new Tensor[] {Tensor.full(x.backend(), 0f, x.shape())}; // x^0 is constant, even at x = 0
                Tensor d = rawScalar(ScalarOp.POW, x, s - 1f);
                x.backend().scalar(ScalarOp.MUL, storage(d), s, storage(d));
                x.backend().binary(BinaryOp.MUL, new Broadcast(x.shape(), x.shape(), x.shape()), storage(d), storage(g), storage(d));
                return new Tensor[] {d};
            });
        }
        return out;
    }

    /** {@code s - x}; gradient {@code -g}. */
    static Tensor rsub(Tensor x, float s) {
        check("rsub", x);
        Tensor out = rawScalar(ScalarOp.RSUB, x, s);
        if (Autograd.needsGrad(x)) Autograd.record("rsub", out, new Tensor[] {x}, g -> new Tensor[] {rawScalar(ScalarOp.MUL, g, -1f)});
        return out;
    }

    /** {@code s / x}; gradient {@code -g * s / x^2 = -g * out / x}. */
    static Tensor rdiv(Tensor x, float s) {
        check("rdiv", x);
        Tensor out = rawScalar(ScalarOp.RDIV, x, s);
        if (Autograd.needsGrad(x)) {
            Autograd.record("rdiv", out, new Tensor[] {x}, g -> {
                Tensor x2 = raw(BinaryOp.MUL, x, x);
                Tensor q = raw(BinaryOp.DIV, g, x2);
                x2.close();
                x.backend().scalar(ScalarOp.MUL, storage(q), -s, storage(q));
                return new Tensor[] {q};
            });
        }
        return out;
    }

    private static void check(String op, Tensor x) {
        Checks.notNull(op, x, "input");
        Checks.floats(op, x);
    }
}
