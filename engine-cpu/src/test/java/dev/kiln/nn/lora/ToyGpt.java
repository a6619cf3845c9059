package dev.kiln.nn.lora;

import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * A small module tree with nanoGPT's layer names (transformer.h.{i}.attn.c_attn, attn.c_proj,
 * mlp.c_fc, mlp.c_proj, transformer.ln_f, lm_head) on {@code [N, d]} inputs, standing in for the GPT
 * model: each block adds {@code c_proj(tanh(c_attn(x)))} and {@code c_proj(relu(c_fc(x)))} to its
 * input. Children are looked up by path on every forward, so {@link Module#replace} takes effect.
 */
final class ToyGpt extends Module {
    /** A named container; its forward is never called. */
    static final class Holder extends Module {
        Holder add(String name, Module child) {
            registerModule(name, child);
            return this;
        }

        @Override
        public Tensor forward(Tensor input) {
            throw new UnsupportedOperationException("container");
        }
    }

    private final int layers;

    ToyGpt(int layers, int d, int out, long seed, Backend backend) {
        this.layers = layers;
        Generator g = new Generator(seed);
        Holder h = new Holder();
        for (int i = 0; i < layers; i++) {
            Holder attn = new Holder().add("c_attn", new Linear(d, 3 * d, true, g, backend)).add("c_proj", new Linear(3 * d, d, true, g, backend));
            Holder mlp = new Holder().add("c_fc", new Linear(d, 4 * d, true, g, backend)).add("c_proj", new Linear(4 * d, d, false, g, backend));
            h.add(Integer.toString(i), new Holder().add("attn", attn).add("mlp", mlp));
        }
        registerModule("transformer", new Holder().add("h", h).add("ln_f", LayerNorm.builder(d).backend(backend).build()));
        registerModule("lm_head", new Linear(d, out, false, g, backend));
    }

    @Override
    public Tensor forward(Tensor x) {
        for (int i = 0; i < layers; i++) {
            String b = "transformer.h." + i + ".";
            x = x.add(get(b + "attn.c_proj").forward(get(b + "attn.c_attn").forward(x).tanh()));
            x = x.add(get(b + "mlp.c_proj").forward(get(b + "mlp.c_fc").forward(x).relu()));
        }
        return get("lm_head").forward(get("transformer.ln_f").forward(x));
    }
}
