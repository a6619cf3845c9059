package dev.kiln.nn.gpt;

import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.Module;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * nanoGPT's pre-norm {@code Block}: {@code x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))}, children
 * {@code ln_1}, {@code attn}, {@code ln_2}, {@code mlp}.
 */
final class GptBlock extends Module {
    GptBlock(GptConfig c, Generator generator, Backend backend) {
        registerModule("ln_1", LayerNorm.builder(c.width()).bias(c.bias()).backend(backend).build());
        registerModule("attn", new CausalSelfAttention(c, generator, backend));
        registerModule("ln_2", LayerNorm.builder(c.width()).bias(c.bias()).backend(backend).build());
        registerModule("mlp", new GptMlp(c, generator, backend));
    }

    /** {@code [B, T, C] -> [B, T, C]}, causal, no cache. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null, 0);
    }

    /** The block over positions that follow the cache's (when given). */
    Tensor forward(Tensor x, KvCache cache, int layer) {
        Module attn = namedChildren().get("attn");
        if (cache != null && !(attn instanceof CausalSelfAttention)) {
            throw new IllegalStateException("Gpt: a KvCache needs the block's own attention, found " + attn.getClass().getSimpleName());
        }
        Tensor normed = call(namedChildren().get("ln_1"), x);
        Tensor a = attn instanceof CausalSelfAttention csa ? call(csa, normed, (m, in) -> m.forward(in, cache, layer)) : call(attn, normed);
        Tensor h = x.add(a);
        return h.add(call(namedChildren().get("mlp"), call(namedChildren().get("ln_2"), h)));
    }
}
