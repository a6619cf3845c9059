package dev.kiln.samples;

import dev.kiln.nn.Conv2d;
import dev.kiln.nn.GRU;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.TransformerEncoder;
import dev.kiln.nn.TransformerEncoderLayer;
import dev.kiln.ops.Conv2dOptions;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * The models of {@code ./kiln seq-mnist} and {@code ./kiln vit}, exactly those of the PyTorch
 * peer {@code bench/peers/torch_seq.py} (keep the two in step): the same layers, initialisation
 * and parameter names, so a {@code state_dict} moves between them. Every model takes MNIST
 * images {@code [N, 1, 28, 28]} and returns logits {@code [N, 10]}.
 */
final class SeqModels {
    /** Image side, and so the sequence length and step width of seq-MNIST. */
    static final int SIDE = 28;
    static final int CLASSES = 10;

    private SeqModels() {}

    /** The seq-MNIST model {@code kind} (lstm, gru or transformer). */
    static Module seqMnist(String kind, Generator init, Backend backend) {
        return switch (kind) {
            case "lstm", "gru" -> new Recurrent(kind, init, backend);
            case "transformer" -> new SeqTransformer(init, backend);
            default -> throw new IllegalArgumentException("seq-mnist: model must be lstm, gru or transformer, got '" + kind + "'");
        };
    }

    /** Pre-norm encoder layers as the peer's {@code encoder()}: 4 heads, MLP twice the width, GELU, no dropout. */
    static TransformerEncoder encoder(int width, int layers, Generator init, Backend backend) {
        return new TransformerEncoder(TransformerEncoderLayer.builder(width, 4).dimFeedforward(2 * width).dropout(0f)
                .activation(TransformerEncoderLayer.Activation.GELU).batchFirst(true).normFirst(true)
                .generator(init).backend(backend), layers);
    }

    /** A parameter drawn from N(0, std^2), as the peer's {@code torch.randn(shape) * std}. */
    static Tensor normalParameter(Generator init, Backend backend, float std, int... shape) {
        int n = 1;
        for (int d : shape) n = Math.multiplyExact(n, d);
        float[] w = new float[n];
        init.fillNormal(w, 0f, std);
        return Tensor.fromArray(backend, w, shape).unscope().requiresGrad(true);
    }

    /** An image as 28 steps of 28 pixels: {@code [N, 1, 28, 28] -> [N, 28, 28]}. */
    static Tensor rows(Tensor images) {
        return images.reshape(images.shape()[0], SIDE, SIDE);
    }

    /** One LSTM or GRU layer (hidden 128) over the rows; its last step's output goes through {@code head}. */
    static final class Recurrent extends Module {
        static final int HIDDEN = 128;
        private final Module rnn;
        private final Linear head;

        Recurrent(String kind, Generator init, Backend backend) {
            rnn = registerModule("rnn", kind.equals("lstm")
                    ? LSTM.builder(SIDE, HIDDEN).batchFirst(true).generator(init).backend(backend).build()
                    : GRU.builder(SIDE, HIDDEN).batchFirst(true).generator(init).backend(backend).build());
            head = registerModule("head", new Linear(HIDDEN, CLASSES, true, init, backend));
        }

        @Override
        public Tensor forward(Tensor input) {
            Tensor out = call(rnn, rows(input)); // [N, 28, 128]
            return call(head, out.select(1, SIDE - 1));
        }
    }

    /**
     * {@code Linear(28, 64)} per row plus learned positions, 2 pre-norm encoder layers, a final
     * LayerNorm, the mean over time, {@code Linear(64, 10)}.
     */
    static final class SeqTransformer extends Module {
        static final int WIDTH = 64;
        private final Linear embed;
        private final TransformerEncoder encoder;
        private final LayerNorm norm;
        private final Linear head;

        SeqTransformer(Generator init, Backend backend) {
            registerParameter("pos", normalParameter(init, backend, 0.02f, SIDE, WIDTH));
            embed = registerModule("embed", new Linear(SIDE, WIDTH, true, init, backend));
            encoder = registerModule("encoder", encoder(WIDTH, 2, init, backend));
            norm = registerModule("norm", LayerNorm.builder(WIDTH).backend(backend).build());
            head = registerModule("head", new Linear(WIDTH, CLASSES, true, init, backend));
        }

        @Override
        public Tensor forward(Tensor input) {
            Tensor h = call(embed, rows(input)).add(parameter("pos"));
            return call(head, call(norm, call(encoder, h)).mean(false, 1));
        }
    }

    /**
     * A small Vision Transformer: 7x7 patches by {@code Conv2d(1, 64, 7, stride 7)} (16 tokens), a
     * class token in front, learned positions (std 0.02), 4 pre-norm encoder layers (width 64, 4
     * heads, MLP 128, GELU, no dropout), a final LayerNorm, {@code Linear(64, 10)} on the class token.
     */
    static final class Vit extends Module {
        static final int WIDTH = 64, PATCH = 7, LAYERS = 4;
        static final int TOKENS = (SIDE / PATCH) * (SIDE / PATCH);
        private final Conv2d patch;
        private final TransformerEncoder encoder;
        private final LayerNorm norm;
        private final Linear head;

        Vit(Generator init, Backend backend) {
            // PyTorch lists a module's own parameters before its children's: cls, pos, patch.*, ...
            registerParameter("cls", normalParameter(init, backend, 0.02f, 1, 1, WIDTH));
            registerParameter("pos", normalParameter(init, backend, 0.02f, TOKENS + 1, WIDTH));
            patch = registerModule("patch", new Conv2d(1, WIDTH, PATCH, PATCH, Conv2dOptions.defaults().stride(PATCH), true, init, backend));
            encoder = registerModule("encoder", encoder(WIDTH, LAYERS, init, backend));
            norm = registerModule("norm", LayerNorm.builder(WIDTH).backend(backend).build());
            head = registerModule("head", new Linear(WIDTH, CLASSES, true, init, backend));
        }

        @Override
        public Tensor forward(Tensor input) {
            int n = input.shape()[0];
            Tensor p = call(patch, input).flatten(2).transpose(1, 2); // [N, 16, 64]
            Tensor h = Tensor.cat(1, parameter("cls").expand(n, 1, WIDTH), p).add(parameter("pos"));
            return call(head, call(norm, call(encoder, h)).select(1, 0));
        }
    }
}
