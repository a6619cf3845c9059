package dev.kiln.ops;

import dev.kiln.autograd.Autograd;
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
        Tensor y = Tensor.empty(x.backend(), x.shape());
        x.backend().unary(op, alpha, x.storage(), y.storage());
        if (Autograd.needsGrad(x)) {
            Autograd.record(name, y, new Tensor[] {x}, g -> {
                Tensor gx = Tensor.empty(x.backend(), x.shape());
                x.backend().unaryBackward(op, alpha, x.storage(), y.storage(), g.storage(), gx.storage());
                return new Tensor[] {gx};
            });
        }
        return y;
    }
}
