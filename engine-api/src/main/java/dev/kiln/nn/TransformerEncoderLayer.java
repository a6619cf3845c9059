package dev.kiln.nn;

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
        Backend backend = b.backendOrDefault();
        Generator g = b.generatorOrDefault();
        this.activation = b.activation;
        this.normFirst = b.normFirst;
        selfAttn = registerModule("self_attn", MultiheadAttention.builder(b.dModel, b.nhead).dropout(b.dropout).bias(b.bias)
                .batchFirst(b.batchFirst).generator(g).backend(backend).build());
        linear1 = registerModule("linear1", new Linear(b.dModel, b.dimFeedforward, b.bias, g, backend));
        dropout = registerModule("dropout", new Dropout(b.dropout, g));
        linear2 = registerModule("linear2", new Linear(b.dimFeedforward, b.dModel, b.bias, g, backend));
        norm1 = registerModule("norm1", LayerNorm.builder(b.dModel).eps(b.layerNormEps).bias(b.bias).backend(backend).build());
        norm2 = registerModule("norm2", LayerNorm.builder(b.dModel).eps(b.layerNormEps).bias(b.bias).backend(backend).build());
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
        return forward(src, null, null, false);
    }

    /**
     * The block with masks, as PyTorch's {@code forward(src, src_mask, src_key_padding_mask)}; see
     * {@link #forward(Tensor, Tensor, Tensor, boolean)}.
     *
     * @param src            {@code [S, N, E]} ({@code [N, S, E]} with batchFirst, or {@code [S, E]})
     * @param srcMask        BOOL (True = ignored) or additive FLOAT32 {@code [S, S]} or {@code [N * nhead, S, S]}, or null
     * @param keyPaddingMask BOOL (True = ignored) or additive FLOAT32 {@code [N, S]}, or null
     * @return the output, shaped as {@code src}
     * @throws IllegalArgumentException if the input or a mask does not fit
     */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor keyPaddingMask) {
        return forward(src, srcMask, keyPaddingMask, false);
    }

    /**
     * The block with masks and causal masking, as PyTorch 2's {@code forward(src, src_mask,
     * src_key_padding_mask, is_causal)}. Masks follow {@link MultiheadAttention}: BOOL is True where
     * a key is ignored, FLOAT32 is added to the scores ({@code -inf} hides a key). Unlike PyTorch's
     * {@code is_causal}, a hint that {@code src_mask} is causal, {@code isCausal} applies the causal
     * mask itself (position i sees positions {@code j <= i}), so {@code srcMask} may be null.
     *
     * @param src            {@code [S, N, E]} ({@code [N, S, E]} with batchFirst, or {@code [S, E]})
     * @param srcMask        BOOL or FLOAT32 {@code [S, S]} or {@code [N * nhead, S, S]}, or null
     * @param keyPaddingMask BOOL or FLOAT32 {@code [N, S]} ({@code [S]} unbatched), or null
     * @param isCausal       whether position i only attends to positions {@code j <= i}
     * @return the output, shaped as {@code src}
     * @throws IllegalArgumentException if the input or a mask does not fit
     */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor keyPaddingMask, boolean isCausal) {
        Objects.requireNonNull(src, "TransformerEncoderLayer: src");
        MultiheadAttention.Options masks = MultiheadAttention.Options.defaults().attnMask(srcMask).keyPaddingMask(keyPaddingMask)
                .causal(isCausal);
        Tensor x = src;
        if (normFirst) {
            x = x.add(selfAttention(call(norm1, x), masks));
            x = x.add(feedForward(call(norm2, x)));
        } else {
            x = call(norm1, x.add(selfAttention(x, masks)));
            x = call(norm2, x.add(feedForward(x)));
        }
        return x;
    }

    private Tensor selfAttention(Tensor x, MultiheadAttention.Options masks) {
        Tensor attended = call(selfAttn, x, (m, in) -> m.forward(in, in, in, masks).output());
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
    public static final class Builder extends ModuleBuilder<Builder> {
        private final int dModel;
        private final int nhead;
        private int dimFeedforward = 2048;
        private float dropout = 0.1f;
        private Activation activation = Activation.RELU;
        private float layerNormEps = 1e-5f;
        private boolean batchFirst;
        private boolean normFirst;
        private boolean bias = true;

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
