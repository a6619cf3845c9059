package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.internal.TensorAccess;
import dev.kiln.ops.AttentionOptions;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * Multi-head attention with PyTorch's {@code nn.MultiheadAttention} semantics and parameter names,
 * so state dicts move both ways: {@code in_proj_weight [3E, E]} and {@code in_proj_bias [3E]} (query,
 * key and value projections stacked), or, when {@code kdim} or {@code vdim} differ from E,
 * {@code q_proj_weight [E, E]}, {@code k_proj_weight [E, kdim]}, {@code v_proj_weight [E, vdim]} with
 * the same {@code in_proj_bias}; then {@code out_proj.weight [E, E]} and {@code out_proj.bias [E]}.
 * Initialised as PyTorch does: Xavier-uniform projections, zero biases, {@code out_proj.weight} with
 * Linear's default. Built with {@link #builder(int, int)}, PyTorch's defaults until set.
 *
 * <p>Shapes: query {@code [L, N, E]} ({@code [N, L, E]} with {@code batchFirst}, {@code [L, E]}
 * unbatched), key {@code [S, N, kdim]}, value {@code [S, N, vdim]}; output shaped as the query. Each
 * head attends through {@link Functional#scaledDotProductAttention} (fused, memory linear in L and
 * S), with dropout on the attention weights in training mode.
 *
 * <p>Masks ({@link Options}) follow this layer's PyTorch convention: a BOOL mask is True where a key
 * is <em>ignored</em> (the opposite of {@link Functional#scaledDotProductAttention}'s), a FLOAT32 mask
 * is added to the scores ({@code -inf} hides a key): {@code attnMask [L, S]} or
 * {@code [N * numHeads, L, S]}, {@code keyPaddingMask [N, S]} ({@code [S]} unbatched). BOOL masks stay
 * BOOL down to the kernels; a BOOL mask combined with a FLOAT32 one becomes 0 / {@code -inf} and the
 * two are added, as PyTorch 2 merges them. {@link Options#causal} masks keys after the query (query i
 * sees keys {@code j <= i}); alone it runs the fused kernel's causal path, with other masks it is
 * combined with them.
 *
 * <p>Differences from PyTorch, by design: {@code needWeights} is false unless asked (PyTorch defaults
 * to true), because the weights are an {@code L x S} matrix per head that the fused op never builds;
 * when asked, the layer computes them explicitly (softmax of the scores, then dropout, then the
 * product with the values, as PyTorch's math path). PyTorch 2's {@code is_causal} is only a hint that
 * {@code attn_mask} is causal and needs the mask; here {@code causal} applies the mask itself. A query
 * row whose every key is masked gives 0 on the fused path (PyTorch's {@code _safe_softmax}) and NaN on
 * the explicit one (a plain softmax, as PyTorch 1.13's layer).
 *
 * {@snippet class=dev.kiln.snippets.AttentionSnippetsTest region=mha-masks}
 */
public class MultiheadAttention extends Module {
    private final int embedDim;
    private final int numHeads;
    private final float dropout;
    private final boolean batchFirst;
    private final int kdim;
    private final int vdim;
    private final Generator generator;
    private final Linear outProj;

    /**
     * The result of {@link #forward(Tensor, Tensor, Tensor, Options)}.
     *
     * @param output  the attention output, shaped as the query
     * @param weights the attention weights, or null when they were not asked for: averaged over heads
     *                {@code [N, L, S]} ({@code [L, S]} unbatched), or per head {@code [N, numHeads, L, S]}
     *                ({@code [numHeads, L, S]}) without {@code averageAttnWeights}
     */
    public record Output(Tensor output, Tensor weights) {}

    /**
     * What one call of {@link #forward(Tensor, Tensor, Tensor, Options)} takes besides the query, key
     * and value, with PyTorch's argument names except {@code needWeights}'s default (false here);
     * immutable, built fluently from {@link #defaults()}:
     * {@code Options.defaults().keyPaddingMask(pad).needWeights(true)}.
     *
     * @param keyPaddingMask     BOOL (True = ignore the key) or additive FLOAT32 {@code [N, S]} ({@code [S]} unbatched), or null
     * @param attnMask           BOOL (True = ignore) or additive FLOAT32 {@code [L, S]} or {@code [N * numHeads, L, S]}, or null
     * @param needWeights        also return the attention weights (computed explicitly, {@code L x S} per head)
     * @param averageAttnWeights average the returned weights over heads (PyTorch's default, true)
     * @param causal             query i sees only keys {@code j <= i}, besides any mask (PyTorch 2's {@code is_causal})
     */
    public record Options(Tensor keyPaddingMask, Tensor attnMask, boolean needWeights, boolean averageAttnWeights, boolean causal) {
        /** {@return no masks, no weights (averaged when asked), not causal} */
        public static Options defaults() {
            return new Options(null, null, false, true, false);
        }

        /**
         * {@return a copy with a key padding mask}
         *
         * @param mask BOOL (True = ignored) or additive FLOAT32 {@code [N, S]} ({@code [S]} unbatched), or null
         */
        public Options keyPaddingMask(Tensor mask) {
            return new Options(mask, attnMask, needWeights, averageAttnWeights, causal);
        }

        /**
         * {@return a copy with an attention mask}
         *
         * @param mask BOOL (True = ignored) or additive FLOAT32 {@code [L, S]} or {@code [N * numHeads, L, S]}, or null
         */
        public Options attnMask(Tensor mask) {
            return new Options(keyPaddingMask, mask, needWeights, averageAttnWeights, causal);
        }

        /**
         * {@return a copy that returns the attention weights or not}
         *
         * @param on whether {@link Output#weights()} is computed
         */
        public Options needWeights(boolean on) {
            return new Options(keyPaddingMask, attnMask, on, averageAttnWeights, causal);
        }

        /**
         * {@return a copy that averages the returned weights over heads or keeps them per head}
         *
         * @param on true (the default) for {@code [N, L, S]}, false for {@code [N, numHeads, L, S]}
         */
        public Options averageAttnWeights(boolean on) {
            return new Options(keyPaddingMask, attnMask, needWeights, on, causal);
        }

        /**
         * {@return a copy with causal masking on or off}
         *
         * @param on whether query i only sees keys {@code j <= i}
         */
        public Options causal(boolean on) {
            return new Options(keyPaddingMask, attnMask, needWeights, averageAttnWeights, on);
        }
    }

    /**
     * No dropout, with biases, sequence-first, {@code kdim = vdim = embedDim}, on the default backend.
     *
     * @param embedDim total width E, split across the heads
     * @param numHeads parallel heads; must divide {@code embedDim}
     * @throws IllegalArgumentException as {@link Builder#build()}
     */
    public MultiheadAttention(int embedDim, int numHeads) {
        this(builder(embedDim, numHeads));
    }

    /**
     * A builder with PyTorch's defaults: no dropout, biases, sequence-first, {@code kdim = vdim = embedDim},
     * {@link Kiln#generator()} and {@link Kiln#backend()}.
     *
     * @param embedDim total width E, split across the heads
     * @param numHeads parallel heads; must divide {@code embedDim}
     * @return a builder; {@link Builder#build()} checks the options
     */
    public static Builder builder(int embedDim, int numHeads) {
        return new Builder(embedDim, numHeads);
    }

    private MultiheadAttention(Builder b) {
        int embedDim = b.embedDim, numHeads = b.numHeads, kdim = b.kdim == null ? embedDim : b.kdim;
        int vdim = b.vdim == null ? embedDim : b.vdim;
        if (embedDim < 1 || numHeads < 1 || kdim < 1 || vdim < 1) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim, num_heads, kdim and vdim must be >= 1, got "
                    + embedDim + ", " + numHeads + ", " + kdim + ", " + vdim);
        }
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim "
                    + embedDim + " and num_heads " + numHeads);
        }
        if (!(b.dropout >= 0f && b.dropout < 1f)) {
            throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1), got " + b.dropout);
        }
        Generator generator = b.generatorOrDefault();
        Backend backend = b.backendOrDefault();
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.dropout = b.dropout;
        this.batchFirst = b.batchFirst;
        this.kdim = kdim;
        this.vdim = vdim;
        this.generator = generator;
        if (packed()) {
            registerParameter("in_proj_weight", Init.uniformParameter(backend, generator, xavier(embedDim, 3 * embedDim), 3 * embedDim, embedDim));
        } else {
            registerParameter("q_proj_weight", Init.uniformParameter(backend, generator, xavier(embedDim, embedDim), embedDim, embedDim));
            registerParameter("k_proj_weight", Init.uniformParameter(backend, generator, xavier(kdim, embedDim), embedDim, kdim));
            registerParameter("v_proj_weight", Init.uniformParameter(backend, generator, xavier(vdim, embedDim), embedDim, vdim));
        }
        if (b.bias) registerParameter("in_proj_bias", Init.constantParameter(backend, 0f, 3 * embedDim));
        outProj = registerModule("out_proj", new Linear(embedDim, embedDim, b.bias, generator, backend));
        // PyTorch's _reset_parameters zeroes out_proj.bias and leaves out_proj.weight at Linear's default.
        if (b.bias) backend.fill(TensorAccess.storage(outProj.bias()), 0f);
    }

    /** Xavier-uniform bound {@code sqrt(6 / (fanIn + fanOut))}. */
    private static double xavier(int fanIn, int fanOut) {
        return Math.sqrt(6.0 / (fanIn + fanOut));
    }

    private boolean packed() {
        return kdim == embedDim && vdim == embedDim;
    }

    /**
     * Self-attention, {@code forward(x, x, x).output()}, so the layer composes in {@link Sequential}.
     *
     * @param x the sequence {@code [L, N, E]} ({@code [N, L, E]} with batchFirst, or {@code [L, E]})
     * @return the output, shaped as {@code x}
     */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x).output();
    }

    /**
     * Attention of {@code query} over {@code key} and {@code value} without masks or weights.
     *
     * @param query {@code [L, N, E]} ({@code [N, L, E]} with batchFirst, or {@code [L, E]})
     * @param key   {@code [S, N, kdim]}, batched like the query
     * @param value {@code [S, N, vdim]}, batched like the query
     * @return the output (weights null)
     * @throws IllegalArgumentException as {@link #forward(Tensor, Tensor, Tensor, Options)}
     */
    public Output forward(Tensor query, Tensor key, Tensor value) {
        return forward(query, key, value, Options.defaults());
    }

    /**
     * Multi-head attention, as PyTorch's {@code forward(query, key, value, key_padding_mask,
     * need_weights, attn_mask, average_attn_weights, is_causal)}.
     *
     * @param query   {@code [L, N, E]} ({@code [N, L, E]} with batchFirst, or {@code [L, E]})
     * @param key     {@code [S, N, kdim]}, batched like the query
     * @param value   {@code [S, N, vdim]}, batched like the query
     * @param options masks, weights and causal masking
     * @return the output and, when asked, the weights
     * @throws IllegalArgumentException if ranks, feature sizes, sequence lengths, mask shapes or mask
     *                                  dtypes disagree
     */
    public Output forward(Tensor query, Tensor key, Tensor value, Options options) {
        if (query == null || key == null || value == null) throw new IllegalArgumentException("MultiheadAttention: query, key and value must not be null");
        if (options == null) throw new IllegalArgumentException("MultiheadAttention: options must not be null (use Options.defaults())");
        boolean batched = query.rank() == 3;
        if (query.rank() != 2 && !batched) {
            throw new IllegalArgumentException("MultiheadAttention: query should be unbatched 2D or batched 3D tensor but received "
                    + query.rank() + "-D query tensor of shape " + Shape.str(query.shape()));
        }
        if (key.rank() != query.rank() || value.rank() != query.rank()) {
            throw new IllegalArgumentException("MultiheadAttention: for " + (batched ? "batched (3-D)" : "unbatched (2-D)")
                    + " query, expected key and value to be " + query.rank() + "-D, got shapes " + Shape.str(key.shape()) + " and "
                    + Shape.str(value.shape()));
        }
        // Batch-first [N, L, features] views of the three inputs.
        Tensor q = batchFirstView(query, batched), k = batchFirstView(key, batched), v = batchFirstView(value, batched);
        int n = q.size(0), lq = q.size(1), s = k.size(1);
        checkFeatures("query", q, embedDim);
        checkFeatures("key", k, kdim);
        checkFeatures("value", v, vdim);
        if (k.size(0) != n || v.size(0) != n || v.size(1) != s) {
            throw new IllegalArgumentException("MultiheadAttention: key shape " + Shape.str(key.shape()) + " does not match value shape "
                    + Shape.str(value.shape()) + " (or the query's batch, " + Shape.str(query.shape()) + ")");
        }
        // Causal masking alone runs in the fused kernel; with other masks or explicit weights it becomes a mask.
        boolean fusedCausal = options.causal() && options.attnMask() == null && options.keyPaddingMask() == null && !options.needWeights();
        Tensor mask = AttentionMask.combine(options, options.causal() && !fusedCausal, batched, n, numHeads, lq, s, query.backend());
        Tensor[] qkv = project(query, key, value, q, k, v);
        int hd = embedDim / numHeads;
        Tensor qh = heads(qkv[0], n, lq, hd), kh = heads(qkv[1], n, s, hd), vh = heads(qkv[2], n, s, hd);
        float p = isTraining() ? dropout : 0f;
        Tensor attended, weights = null;
        if (options.needWeights()) {
            Tensor[] explicit = explicitAttention(qh, kh, vh, mask, p, n, lq, s, hd);
            attended = explicit[0];
            weights = options.averageAttnWeights() ? explicit[1].mean(false, 1) : explicit[1];
            if (!batched) weights = options.averageAttnWeights() ? weights.reshape(lq, s) : weights.reshape(numHeads, lq, s);
        } else {
            attended = Functional.scaledDotProductAttention(qh, kh, vh,
                    AttentionOptions.defaults().attnMask(mask).causal(fusedCausal).dropoutP(p).generator(generator));
        }
        Tensor merged = attended.permute(0, 2, 1, 3).reshape(n, lq, embedDim);
        Tensor out = outProj.forward(merged);
        if (!batched) out = out.reshape(lq, embedDim);
        else if (!batchFirst) out = out.transpose(0, 1);
        return new Output(out, weights);
    }

    /**
     * For {@link Module#summary(Tensor...)}: one input is self-attention, three are query, key and value.
     *
     * @param inputs one or three tensors
     * @return the output
     * @throws IllegalArgumentException for another number of inputs
     */
    @Override
    protected Object forwardForSummary(Tensor... inputs) {
        if (inputs.length == 3) return forward(inputs[0], inputs[1], inputs[2]).output();
        return super.forwardForSummary(inputs);
    }

    /** {@code [N, L, features]}: a reshape for an unbatched input, a transpose for a sequence-first one. */
    private Tensor batchFirstView(Tensor t, boolean batched) {
        if (!batched) return t.reshape(1, t.size(0), t.size(1));
        return batchFirst ? t : t.transpose(0, 1);
    }

    private static void checkFeatures(String what, Tensor t, int expected) {
        if (t.size(2) != expected) {
            throw new IllegalArgumentException("MultiheadAttention: was expecting " + what + " embedding dimension of " + expected
                    + ", but got " + t.size(2) + " (shape " + Shape.str(t.shape()) + " batch-first)");
        }
    }

    /** The query, key and value projections {@code [N, len, E]}: one GEMM for self-attention with packed weights. */
    private Tensor[] project(Tensor query, Tensor key, Tensor value, Tensor q, Tensor k, Tensor v) {
        Tensor bias = parameter("in_proj_bias");
        Tensor[] b = bias == null ? new Tensor[3] : bias.chunk(3, 0);
        if (packed()) {
            Tensor w = parameter("in_proj_weight");
            if (query == key && key == value) return Functional.linear(q, w, bias).chunk(3, -1);
            Tensor[] ws = w.chunk(3, 0);
            return new Tensor[] {Functional.linear(q, ws[0], b[0]), Functional.linear(k, ws[1], b[1]), Functional.linear(v, ws[2], b[2])};
        }
        return new Tensor[] {Functional.linear(q, parameter("q_proj_weight"), b[0]), Functional.linear(k, parameter("k_proj_weight"), b[1]),
            Functional.linear(v, parameter("v_proj_weight"), b[2])};
    }

    /** {@code [N, len, E]} to {@code [N, H, len, E/H]}. */
    private Tensor heads(Tensor x, int n, int len, int hd) {
        return x.reshape(n, len, numHeads, hd).permute(0, 2, 1, 3);
    }

    /**
     * PyTorch's math path, for when the weights are wanted: {@code softmax(q k^T / sqrt(hd) + mask)},
     * dropout, then the product with v. Returns the per-head output {@code [N, H, L, hd]} and weights
     * {@code [N, H, L, S]}.
     */
    private Tensor[] explicitAttention(Tensor qh, Tensor kh, Tensor vh, Tensor mask, float p, int n, int lq, int s, int hd) {
        int b = n * numHeads;
        Tensor q3 = qh.reshape(b, lq, hd).mul((float) (1.0 / Math.sqrt(hd)));
        Tensor scores = q3.matmul(kh.reshape(b, s, hd).transpose(1, 2)).reshape(n, numHeads, lq, s);
        if (mask != null) {
            scores = mask.dtype() == DType.BOOL ? scores.maskedFill(mask.logicalNot(), Float.NEGATIVE_INFINITY) : Functional.add(scores, mask);
        }
        Tensor w = scores.softmax(-1);
        Tensor dropped = Functional.dropout(w, p, p > 0f, generator);
        Tensor out = dropped.reshape(b, lq, s).matmul(vh.reshape(b, s, hd)).reshape(n, numHeads, lq, hd);
        return new Tensor[] {out, dropped};
    }

    /** {@return the total width E} */
    public int embedDim() {
        return embedDim;
    }

    /** {@return the number of heads} */
    public int numHeads() {
        return numHeads;
    }

    /** {@return whether inputs and outputs are {@code [N, L, E]}} */
    public boolean batchFirst() {
        return batchFirst;
    }

    @Override
    protected String extraRepr() {
        return "embed_dim=" + embedDim + ", num_heads=" + numHeads + (dropout > 0 ? ", dropout=" + dropout : "")
                + (parameter("in_proj_bias") == null ? ", bias=false" : "") + (batchFirst ? ", batch_first=true" : "")
                + (packed() ? "" : ", kdim=" + kdim + ", vdim=" + vdim);
    }
    /** Options of a {@link MultiheadAttention}, PyTorch's defaults until set. */
    public static final class Builder extends ModuleBuilder<Builder> {
        private final int embedDim;
        private final int numHeads;
        private float dropout;
        private boolean bias = true;
        private boolean batchFirst;
        private Integer kdim;
        private Integer vdim;

        private Builder(int embedDim, int numHeads) {
            this.embedDim = embedDim;
            this.numHeads = numHeads;
        }

        /**
         * Dropout on the attention weights in training.
         *
         * @param p in [0, 1) (default 0)
         * @return this builder
         */
        public Builder dropout(float p) {
            this.dropout = p;
            return this;
        }

        /**
         * Biases in the input and output projections.
         *
         * @param on default true
         * @return this builder
         */
        public Builder bias(boolean on) {
            this.bias = on;
            return this;
        }

        /**
         * Inputs and outputs {@code [N, L, E]} instead of {@code [L, N, E]}.
         *
         * @param on default false, as PyTorch
         * @return this builder
         */
        public Builder batchFirst(boolean on) {
            this.batchFirst = on;
            return this;
        }

        /**
         * Features of the key input (separate projection weights when not {@code embedDim}).
         *
         * @param kdim at least 1 (default {@code embedDim})
         * @return this builder
         */
        public Builder kdim(int kdim) {
            this.kdim = kdim;
            return this;
        }

        /**
         * Features of the value input (separate projection weights when not {@code embedDim}).
         *
         * @param vdim at least 1 (default {@code embedDim})
         * @return this builder
         */
        public Builder vdim(int vdim) {
            this.vdim = vdim;
            return this;
        }



        /**
         * {@return the layer}
         *
         * @throws IllegalArgumentException if a size is below 1, {@code numHeads} does not divide
         *                                  {@code embedDim}, or dropout is outside [0, 1)
         */
        public MultiheadAttention build() {
            return new MultiheadAttention(this);
        }
    }
}
