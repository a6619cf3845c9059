package dev.kiln.peers.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;

/**
 * The functional forms of DJL's blocks that the transformer and GPT peers are written with
 * ({@link Linear#linear} is {@code torch::linear}, {@link LayerNorm#layerNorm} is
 * {@code torch::layer_norm}). DJL attaches an op's result to its first operand's manager, so the
 * activation always comes first and the parameters second: the results then live in the step's
 * manager, never in the parameters'.
 */
final class DjlOps {
    private DjlOps() {}

    /** x W^T + b over the last axis (W is [out, in], as PyTorch's); {@code b} may be null. */
    static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return (b == null ? Linear.linear(x, w) : Linear.linear(x, w, b)).singletonOrThrow();
    }

    /** LayerNorm over the last axis, eps 1e-5 (PyTorch's default). */
    static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) {
        return LayerNorm.layerNorm(x, new Shape(x.getShape().get(x.getShape().dimension() - 1)), gamma, beta, 1e-5f).singletonOrThrow();
    }

    /** [B, T, H*D] to [B, H, T, D]: the heads as a batch axis (a view; matMul copies where it must). */
    static NDArray heads(NDArray x, int heads) {
        Shape s = x.getShape();
        long b = s.get(0), t = s.get(1), c = s.get(2);
        return x.reshape(b, t, heads, c / heads).transpose(0, 2, 1, 3);
    }

    /** [B, H, T, D] back to [B, T, H*D] (a copy, as PyTorch's transpose(1, 2).contiguous().view). */
    static NDArray merge(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
    }
}
