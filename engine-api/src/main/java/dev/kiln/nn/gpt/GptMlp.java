package dev.kiln.nn.gpt;

import dev.kiln.nn.Dropout;
import dev.kiln.nn.GELU;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * nanoGPT's {@code MLP}: {@code c_fc} (Linear C to 4C), {@code gelu}, {@code c_proj} (Linear 4C to C),
 * {@code dropout}; children looked up by name on every call so that replaced Linears take part.
 */
final class GptMlp extends Module {
    GptMlp(GptConfig c, Generator generator, Backend backend) {
        Generator scratch = new Generator(0); // Linear's default draws are overwritten by Gpt's init
        registerModule("c_fc", new Linear(c.width(), 4 * c.width(), c.bias(), scratch, backend));
        registerModule("gelu", new GELU(c.gelu()));
        registerModule("c_proj", new Linear(4 * c.width(), c.width(), c.bias(), scratch, backend));
        registerModule("dropout", new Dropout(c.dropout(), generator));
    }

    /** {@code [B, T, C] -> [B, T, C]}. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Module m : namedChildren().values()) h = call(m, h);
        return h;
    }
}
