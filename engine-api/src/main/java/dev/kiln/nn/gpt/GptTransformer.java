package dev.kiln.nn.gpt;

import dev.kiln.nn.Dropout;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.Module;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * nanoGPT's {@code transformer} ({@code nn.ModuleDict}): {@code wte} (token embedding, also the
 * head), {@code wpe} (learned positions), {@code drop}, {@code h} (the blocks), {@code ln_f}. Its
 * forward gives the final hidden states.
 */
final class GptTransformer extends Module {
    GptTransformer(GptConfig c, Generator generator, Backend backend) {
        Generator scratch = new Generator(0); // Embedding's default draws are overwritten by Gpt's init
        registerModule("wte", Embedding.builder(c.vocabSize(), c.width()).generator(scratch).backend(backend).build());
        registerModule("wpe", Embedding.builder(c.contextLength(), c.width()).generator(scratch).backend(backend).build());
        registerModule("drop", new Dropout(c.dropout(), generator));
        GptBlock[] blocks = new GptBlock[c.layers()];
        for (int i = 0; i < blocks.length; i++) blocks[i] = new GptBlock(c, generator, backend);
        registerModule("h", new GptBlocks(blocks));
        registerModule("ln_f", LayerNorm.builder(c.width()).bias(c.bias()).backend(backend).build());
    }

    /** Token ids {@code [B, T]} to the final hidden states {@code [B, T, C]}, positions from 0. */
    @Override
    public Tensor forward(Tensor idx) {
        return hidden(idx, null, false);
    }

    /**
     * Hidden states of the positions of {@code idx}, which follow the cache's positions when a cache
     * is given; with {@code lastOnly}, only the last position's {@code [B, 1, C]} (the final norm and
     * the head then run on one row).
     */
    Tensor hidden(Tensor idx, KvCache cache, boolean lastOnly) {
        int t = idx.size(1), past = cache == null ? 0 : cache.length();
        long[] positions = new long[t];
        for (int i = 0; i < t; i++) positions[i] = past + i;
        Tensor tok = call(child("wte"), idx);
        Tensor pos = call(child("wpe"), Tensor.fromLongs(idx.backend(), positions, t));
        Tensor x = call(child("drop"), tok.add(pos));
        GptBlocks h = (GptBlocks) child("h");
        x = call(h, x, (m, in) -> m.forward(in, cache));
        if (lastOnly && t > 1) x = x.narrow(1, t - 1, 1);
        return call(child("ln_f"), x);
    }

    Module child(String name) {
        return namedChildren().get(name);
    }
}
