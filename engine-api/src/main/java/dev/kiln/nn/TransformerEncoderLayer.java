package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.Objects;

/**
 * One Transformer encoder block, as PyTorch's {@code nn.TransformerEncoderLayer}: multi-head
 * self-attention then a two-layer feed-forward network, each wrapped in a residual connection
 * and a layer norm, with PyTorch's parameter names ({@code self_attn.in_proj_weight},
 * {@code self_attn.out_proj.weight}, {@code linear1.weight}, {@code linear2.weight},
 * {@code norm1.weight}, {@code norm2.weight} and their biases), so state dicts move both ways.
 *
 * <p>Post-norm (PyTorch's default, the original paper): {@code x = norm1(x + sa(x));
 * x = norm2(x + ff(x))}. Pre-norm ({@link Builder#normFirst}, GPT-2 and ViT):
 * {@code x = x + sa(norm1(x)); x = x + ff(norm2(x))}. Here {@code sa} is self-attention followed by
 * dropout and {@code ff(x) = dropout(linear2(dropout(activation(linear1(x)))))}.
 *
 * <p>Shapes: {@code [S, N, E]}, or {@code [N, S, E]} with {@link Builder#batchFirst}, or unbatched
 * {@code [S, E]}; the output has the input's shape. Built with {@link #builder(int, int)}, PyTorch's
 * defaults: feed-forward width 2048, dropout 0.1, ReLU, eps 1e-5, sequence-first, post-norm, biases.
 *
 * {@snippet :
 * TransformerEncoderLayer layer = TransformerEncoderLayer.builder(64, 4)
 *         .dimFeedforward(128).dropout(0f).activation(TransformerEncoderLayer.Activation.GELU)
 *         .batchFirst(true).normFirst(true).build();
 * Tensor y = layer.forward(x);                      // x [N, S, 64] -> y [N, S, 64]
 * }
 */
public class TransformerEncoderLayer extends Module {
    /** The feed-forward network's activation. */
    public enum Activation {
        /** {@code max(0, x)}, PyTorch's default. */
        RELU,
        /** The exact GELU (erf form), as PyTorch's {@code activation="gelu"}. */
        GELU
    }

    private final MultiheadAttention selfAttn;
    private final Linear linear1;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout;
    private final Dropout dropout1;
    private final Dropout dropout2;
    private final Activation activation;
    private final boolean normFirst;

    private TransformerEncoderLayer(Builder b) {
        Backend backend = b.backend != null ? b.backend : Kiln.backend();
        Generator g = b.generator != null ? b.generator : Kiln.generator();
        this.activation = b.activation;
        this.normFirst = b.normFirst;
        selfAttn = registerModule("self_attn",
                new MultiheadAttention(b.dModel, b.nhead, b.dropout, b.bias, b.batchFirst, b.dModel, b.dModel, g, backend));
        linear1 = registerModule("linear1", new Linear(b.dModel, b.dimFeedforward, b.bias, g, backend));
        dropout = registerModule("dropout", new Dropout(b.dropout, g));
        linear2 = registerModule("linear2", new Linear(b.dimFeedforward, b.dModel, b.bias, g, backend));
        int[] width = {b.dModel};
        norm1 = registerModule("norm1", new LayerNorm(width, b.layerNormEps, true, b.bias, backend));
        norm2 = registerModule("norm2", new LayerNorm(width, b.layerNormEps, true, b.bias, backend));
        dropout1 = registerModule("dropout1", new Dropout(b.dropout, g));
        dropout2 = registerModule("dropout2", new Dropout(b.dropout, g));
    }

    /**
     * A builder with PyTorch's defaults.
     *
     * @param dModel the model width E (input and output features)
     * @param nhead  attention heads; must divide {@code dModel}
     * @return a builder; {@link Builder#build()} checks the options
     */
    public static Builder builder(int dModel, int nhead) {
        return new Builder(dModel, nhead);
    }

    /**
     * The block without masks, so it composes in {@link Sequential}.
     *
     * @param src {@code [S, N, E]} ({@code [N, S, E]} with batchFirst, or {@code [S, E]})
     * @return the output, shaped as {@code src}
     */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null);
    }

    /**
     * The block with masks, as PyTorch's {@code forward(src, src_mask, src_key_padding_mask)}.
     * Masks are additive FLOAT32 ({@code -inf} hides a key), as {@link MultiheadAttention} takes them.
     *
     * @param src            {@code [S, N, E]} ({@code [N, S, E]} with batchFirst, or {@code [S, E]})
     * @param srcMask        {@code [S, S]} or {@code [N * nhead, S, S]}, or null
     * @param keyPaddingMask {@code [N, S]}, or null
     * @return the output, shaped as {@code src}
     */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor keyPaddingMask) {
        Objects.requireNonNull(src, "TransformerEncoderLayer: src");
        Tensor x = src;
        if (normFirst) {
            x = x.add(selfAttention(call(norm1, x), srcMask, keyPaddingMask));
            x = x.add(feedForward(call(norm2, x)));
        } else {
            x = call(norm1, x.add(selfAttention(x, srcMask, keyPaddingMask)));
            x = call(norm2, x.add(feedForward(x)));
        }
        return x;
    }

    private Tensor selfAttention(Tensor x, Tensor mask, Tensor keyPaddingMask) {
        Tensor attended = selfAttn.forward(x, x, x, keyPaddingMask, mask, false).output();
        return call(dropout1, attended);
    }

    private Tensor feedForward(Tensor x) {
        Tensor h = call(linear1, x);
        h = activation == Activation.RELU ? Functional.relu(h) : Functional.gelu(h);
        return call(dropout2, call(linear2, call(dropout, h)));
    }

    /** {@return whether the layer norms come before attention and the feed-forward network} */
    public boolean normFirst() {
        return normFirst;
    }

    /** {@return the feed-forward activation} */
    public Activation activation() {
        return activation;
    }

    /** {@return the self-attention sub-layer ({@code self_attn})} */
    public MultiheadAttention selfAttn() {
        return selfAttn;
    }

    @Override
    protected String extraRepr() {
        return "activation=" + activation.name().toLowerCase(java.util.Locale.ROOT) + (normFirst ? ", norm_first=True" : "");
    }

    /** Options of a {@link TransformerEncoderLayer}, PyTorch's defaults until set. */
    public static final class Builder {
        private final int dModel;
        private final int nhead;
        private int dimFeedforward = 2048;
        private float dropout = 0.1f;
        private Activation activation = Activation.RELU;
        private float layerNormEps = 1e-5f;
        private boolean batchFirst;
        private boolean normFirst;
        private boolean bias = true;
        private Generator generator;
        private Backend backend;

        private Builder(int dModel, int nhead) {
            this.dModel = dModel;
            this.nhead = nhead;
        }

        /**
         * Width of the feed-forward network's hidden layer.
         *
         * @param dimFeedforward at least 1 (default 2048)
         * @return this builder
         */
        public Builder dimFeedforward(int dimFeedforward) {
            this.dimFeedforward = dimFeedforward;
            return this;
        }

        /**
         * Dropout probability after attention, inside and after the feed-forward network, and on the
         * attention weights.
         *
         * @param p in [0, 1) (default 0.1)
         * @return this builder
         */
        public Builder dropout(float p) {
            this.dropout = p;
            return this;
        }

        /**
         * The feed-forward activation.
         *
         * @param activation RELU (default) or GELU
         * @return this builder
         */
        public Builder activation(Activation activation) {
            this.activation = Objects.requireNonNull(activation, "activation");
            return this;
        }

        /**
         * Epsilon of both layer norms.
         *
         * @param eps at least 0 (default 1e-5)
         * @return this builder
         */
        public Builder layerNormEps(float eps) {
            this.layerNormEps = eps;
            return this;
        }

        /**
         * Inputs and outputs {@code [N, S, E]} instead of {@code [S, N, E]}.
         *
         * @param on default false, as PyTorch
         * @return this builder
         */
        public Builder batchFirst(boolean on) {
            this.batchFirst = on;
            return this;
        }

        /**
         * Pre-norm: layer norm before attention and before the feed-forward network.
         *
         * @param on default false (post-norm), as PyTorch
         * @return this builder
         */
        public Builder normFirst(boolean on) {
            this.normFirst = on;
            return this;
        }

        /**
         * Biases in the linear layers and layer norms.
         *
         * @param on default true
         * @return this builder
         */
        public Builder bias(boolean on) {
            this.bias = on;
            return this;
        }

        /**
         * Source of the initial weights and dropout masks.
         *
         * @param generator default {@link Kiln#generator()}
         * @return this builder
         */
        public Builder generator(Generator generator) {
            this.generator = Objects.requireNonNull(generator, "generator");
            return this;
        }

        /**
         * Where the parameters live.
         *
         * @param backend default {@link Kiln#backend()}
         * @return this builder
         */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /**
         * {@return the layer}
         *
         * @throws IllegalArgumentException if a width is below 1, {@code nhead} does not divide
         *                                  {@code dModel}, dropout is outside [0, 1) or eps is negative
         */
        public TransformerEncoderLayer build() {
            if (dModel < 1 || nhead < 1 || dimFeedforward < 1) {
                throw new IllegalArgumentException("TransformerEncoderLayer: d_model, nhead and dim_feedforward must be >= 1, got "
                        + dModel + ", " + nhead + ", " + dimFeedforward);
            }
            if (!(dropout >= 0f && dropout < 1f)) {
                throw new IllegalArgumentException("TransformerEncoderLayer: dropout must be in [0, 1), got " + dropout);
            }
            return new TransformerEncoderLayer(this);
        }
    }
}
