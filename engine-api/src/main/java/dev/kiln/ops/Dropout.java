package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.Kiln;
import dev.kiln.autograd.Autograd;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BinaryOp;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/** Inverted dropout with a Philox mask generated on the device (bit-identical on every backend). */
final class Dropout {
    private Dropout() {}

    static Tensor dropout(Tensor x, float p, boolean training, Generator generator) {
        Checks.notNull("dropout", x, "input");
        Checks.floats("dropout", x);
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p + " (input shape " + Shape.str(x.shape()) + ")");
        }
        if (!training || p == 0f) return x;
        Backend backend = x.backend();
        if (p == 1f) {
            // Every element dropped: exact zeros (x * 0 would turn inf/NaN inputs into NaN).
            Tensor out = Tensor.full(backend, 0f, x.shape());
            if (Autograd.needsGrad(x)) {
                Autograd.record("dropout", out, new Tensor[] {x}, g -> new Tensor[] {Tensor.full(backend, 0f, x.shape())});
            }
            return out;
        }
        Generator gen = generator != null ? generator : Kiln.generator();
        Tensor mask = empty(backend, x.shape());
        long numel = x.numel();
        long offset = gen.advance(numel);
        if (numel > 0) backend.dropoutMask(gen.seed(), offset, p, storage(mask));
        Tensor out = Elementwise.raw(BinaryOp.MUL, x, mask);
        if (Autograd.needsGrad(x)) {
            Autograd.record("dropout", out, new Tensor[] {x}, g -> new Tensor[] {Elementwise.raw(BinaryOp.MUL, g, mask)});
        } else {
            mask.close();
        }
        return out;
    }
}
