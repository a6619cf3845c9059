package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.Backend;
import dev.kiln.spi.SoftmaxSpec;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * Softmax and log-softmax over any dimension. A contiguous tensor is already an
 * {@code [outer, dim, inner]} view, so no permute is needed; backward uses the saved output.
 */
final class Softmax {
    private Softmax() {}

    static Tensor softmax(String name, Tensor x, int dim, boolean log) {
        Checks.notNull(name, x, "input");
        Checks.floats(name, x);
        int[] s = x.shape();
        int outer = 1, size = 1, inner = 1;
        if (s.length > 0) {
            int d = Shape.axis(name, dim, s);
            for (int i = 0; i < d; i++) outer *= s[i];
            size = s[d];
            for (int i = d + 1; i < s.length; i++) inner *= s[i];
        } else {
            Shape.axis(name, dim, 1);
        }
        Backend backend = x.backend();
        Tensor y = empty(backend, s);
        if (y.numel() == 0) {
            // Nothing to compute, but the output still joins the graph (its gradient is empty too).
            if (Autograd.needsGrad(x)) Autograd.record(name, y, new Tensor[] {x}, g -> new Tensor[] {empty(backend, s)});
            return y;
        }
        SoftmaxSpec spec = new SoftmaxSpec(outer, size, inner, log);
        try (Pin px = pin(name, x)) {
            backend.softmax(spec, px.storage(), storage(y));
        }
        if (Autograd.needsGrad(x)) {
            Autograd.record(name, y, new Tensor[] {x}, g -> {
                Tensor gx = empty(backend, s);
                try (Pin py = pin(name, y)) {
                    backend.softmaxBackward(spec, py.storage(), storage(g), storage(gx));
                }
                return new Tensor[] {gx};
            });
        }
        return y;
    }
}
