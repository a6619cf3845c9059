package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.UnaryOp;
import dev.kiln.tensor.Tensor;

/** Elementwise functions {@code y = f(x)} (activations, exp, log, ...), backward via the SPI's {@code unaryBackward}. */
final class Activations {
    private Activations() {}

    /**
     * {@code f(x)} for {@code op}; {@code alpha} is the leaky-ReLU slope (ignored otherwise).
     * The backward rule gets both x and y, so every op's derivative is available to the backend.
     */
    static Tensor apply(String name, UnaryOp op, float alpha, Tensor x) {
        Checks.notNull(name, x, "input");
        Checks.floats(name, x);
        Tensor y = empty(x.backend(), x.shape());
        try (Pin px = pin(name, x)) {
            x.backend().unary(op, alpha, px.storage(), storage(y));
        }
        if (Autograd.needsGrad(x)) {
            Autograd.record(name, y, new Tensor[] {x}, g -> {
                Tensor gx = empty(x.backend(), x.shape());
                try (Pin px = pin(name, x); Pin py = pin(name, y)) {
                    x.backend().unaryBackward(op, alpha, px.storage(), py.storage(), storage(g), storage(gx));
                }
                return new Tensor[] {gx};
            });
        }
        return y;
    }
}
