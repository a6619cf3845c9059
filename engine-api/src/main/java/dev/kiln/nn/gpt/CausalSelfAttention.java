package dev.kiln.nn.gpt;

import dev.kiln.autograd.GradMode;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.ops.AttentionOptions;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * nanoGPT's {@code CausalSelfAttention}: {@code c_attn} (Linear C to 3C, query, key and value packed in
 * that order), the heads through the fused {@link Functional#scaledDotProductAttention} with dropout
 * on the attention weights in training, {@code c_proj} (Linear C to C) and {@code resid_dropout}. The
 * projections are called as child modules, looked up by name on every call, so a Linear replaced
 * through {@link Module#replace} (a LoRA adapter) takes part.
 */
final class CausalSelfAttention extends Module {
    private final int width;
    private final int heads;
    private final float dropout;
    private final Generator generator;

    CausalSelfAttention(GptConfig c, Generator generator, Backend backend) {
        this.width = c.width();
        this.heads = c.heads();
        this.dropout = c.dropout();
        this.generator = generator;
        Generator scratch = new Generator(0); // Linear's default draws are overwritten by Gpt's init
        registerModule("c_attn", new Linear(width, 3 * width, c.bias(), scratch, backend));
        registerModule("c_proj", new Linear(width, width, c.bias(), scratch, backend));
        registerModule("resid_dropout", new Dropout(c.dropout(), generator));
    }

    /** Causal self-attention over the whole of {@code x [B, T, C]}, no cache. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null, 0);
    }

    /**
     * Attention of {@code x}'s T positions, which follow the cache's positions when a cache is given:
     * every query sees the cached keys and the new keys up to its own position.
     */
    Tensor forward(Tensor x, KvCache cache, int layer) {
        int b = x.size(0), t = x.size(1), hd = width / heads;
        Tensor qkv = call(namedChildren().get("c_attn"), x);
        Tensor[] parts = qkv.chunk(3, 2);
        Tensor q = heads(parts[0], b, t, hd), k = heads(parts[1], b, t, hd), v = heads(parts[2], b, t, hd);
        int past = 0;
        if (cache != null) {
            if (GradMode.isEnabled()) throw new IllegalStateException("Gpt: a KvCache is for inference; run under Kiln.noGrad()");
            past = cache.keys(layer) == null ? 0 : cache.keys(layer).size(2);
            Tensor[] kv = cache.append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        AttentionOptions o = AttentionOptions.defaults().dropoutP(isTraining() ? dropout : 0f).generator(generator);
        if (past == 0) {
            o = o.causal(t > 1); // the fused op's causal mask is top-left aligned: right when queries and keys start together
        } else if (t > 1) {
            o = o.attnMask(bottomRightCausal(t, past, x.backend())); // queries start at position past
        } // one new query after the cache sees every key: no mask
        Tensor y = Functional.scaledDotProductAttention(q, k, v, o);
        Tensor merged = y.permute(0, 2, 1, 3).reshape(b, t, width);
        return call(namedChildren().get("resid_dropout"), call(namedChildren().get("c_proj"), merged));
    }

    /** {@code [B, T, C]} to {@code [B, heads, T, hd]}. */
    private Tensor heads(Tensor x, int b, int t, int hd) {
        return x.reshape(b, t, heads, hd).permute(0, 2, 1, 3);
    }

    /** BOOL {@code [t, past + t]}, True where key j is at or before query i's position {@code past + i}. */
    private static Tensor bottomRightCausal(int t, int past, Backend backend) {
        int s = past + t;
        boolean[] m = new boolean[t * s];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j <= past + i; j++) m[i * s + j] = true;
        }
        return Tensor.fromBooleans(backend, m, t, s);
    }
}
