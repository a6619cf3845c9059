package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * A lookup table of learned vectors, as {@code torch.nn.Embedding}: INT32 or INT64 indices
 * {@code [*]} give {@code [*, embeddingDim]}. One parameter, {@code weight [numEmbeddings,
 * embeddingDim]}, drawn from N(0, 1) (PyTorch's default). With a padding index, that row starts
 * at zero and never gets a gradient, so it stays what it is (e.g. the vector of a padding token).
 * Not supported: {@code max_norm}, {@code scale_grad_by_freq}, {@code sparse}.
 *
 * <p>{@link Module#summary(int...)} feeds FLOAT32 zeros, which this layer rejects as indices: give
 * {@link Module#summary(Tensor...)} example token ids instead.
 */
public class Embedding extends Module {
    private final int numEmbeddings;
    private final int embeddingDim;
    /** The padding row in {@code [0, numEmbeddings)}, or -1 for none. */
    private final int paddingIdx;

    /**
     * Without a padding index, on the default backend, seeded from {@link Kiln#generator()}.
     *
     * @param numEmbeddings the number of rows (the vocabulary size)
     * @param embeddingDim  the length of each vector
     * @throws IllegalArgumentException as {@link Builder#build()}
     */
    public Embedding(int numEmbeddings, int embeddingDim) {
        this(builder(numEmbeddings, embeddingDim));
    }

    /**
     * With a padding index, on the default backend, seeded from {@link Kiln#generator()}.
     *
     * @param numEmbeddings the number of rows (the vocabulary size)
     * @param embeddingDim  the length of each vector
     * @param paddingIdx    the row that starts at zero and gets no gradient, in
     *                      {@code [-numEmbeddings, numEmbeddings)} (negative counts from the end)
     * @throws IllegalArgumentException as {@link Builder#build()}
     */
    public Embedding(int numEmbeddings, int embeddingDim, int paddingIdx) {
        this(builder(numEmbeddings, embeddingDim).paddingIdx(paddingIdx));
    }

    /**
     * A builder with PyTorch's defaults: no padding index, {@link Kiln#generator()},
     * {@link Kiln#backend()}. {@code Embedding.builder(vocab, 64).paddingIdx(0).generator(g).build()}.
     *
     * @param numEmbeddings the number of rows, at least 1
     * @param embeddingDim  the length of each vector, at least 1
     * @return a builder; {@link Builder#build()} checks the options
     */
    public static Builder builder(int numEmbeddings, int embeddingDim) {
        return new Builder(numEmbeddings, embeddingDim);
    }

    private Embedding(Builder b) {
        this(b.numEmbeddings, b.embeddingDim, b.paddingIdx, normal(b.numEmbeddings, b.embeddingDim, b.paddingIdx,
                b.generatorOrDefault(), b.backendOrDefault()));
    }

    private Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx, Tensor weight) {
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx == null ? -1 : normalised(paddingIdx, numEmbeddings);
        registerParameter("weight", weight);
    }

    /**
     * A layer holding a copy of {@code embeddings}, as {@code nn.Embedding.from_pretrained}: the
     * padding row is kept as given (not zeroed).
     *
     * @param embeddings FLOAT32 {@code [numEmbeddings, embeddingDim]}; copied on its own backend
     * @param freeze     true to leave the weight out of training ({@code requiresGrad(false)})
     * @param paddingIdx the row that gets no gradient (negative counts from the end), or null for none
     * @return the new layer
     * @throws IllegalArgumentException if embeddings is not a 2-D FLOAT32 tensor with both sizes at
     *                                  least 1, or paddingIdx is out of range
     */
    public static Embedding fromPretrained(Tensor embeddings, boolean freeze, Integer paddingIdx) {
        if (embeddings == null) throw new IllegalArgumentException("Embedding.fromPretrained: embeddings must not be null");
        int[] s = embeddings.shape();
        if (s.length != 2 || embeddings.dtype() != dev.kiln.tensor.DType.FLOAT32) {
            throw new IllegalArgumentException("Embedding.fromPretrained: embeddings must be a 2-D FLOAT32 tensor, got "
                    + embeddings.dtype() + " " + Shape.str(s));
        }
        checkSizes(s[0], s[1], paddingIdx);
        Tensor weight;
        try (var _ = Kiln.noGrad()) {
            weight = embeddings.copy().unscope().requiresGrad(!freeze);
        }
        return new Embedding(s[0], s[1], paddingIdx, weight);
    }

    private static Tensor normal(int num, int dim, Integer paddingIdx, Generator generator, Backend backend) {
        checkSizes(num, dim, paddingIdx);
        float[] data = new float[Math.toIntExact((long) num * dim)];
        generator.fillNormal(data, 0f, 1f);
        if (paddingIdx != null) java.util.Arrays.fill(data, normalised(paddingIdx, num) * dim, (normalised(paddingIdx, num) + 1) * dim, 0f);
        return Tensor.fromArray(backend, data, num, dim).unscope().requiresGrad(true);
    }

    private static void checkSizes(int num, int dim, Integer paddingIdx) {
        if (num < 1 || dim < 1) {
            throw new IllegalArgumentException("Embedding: sizes must be >= 1, got numEmbeddings " + num + ", embeddingDim " + dim);
        }
        if (paddingIdx != null && (paddingIdx < -num || paddingIdx >= num)) {
            throw new IllegalArgumentException("Embedding: padding_idx must be within num_embeddings (" + num + "), got " + paddingIdx);
        }
    }

    private static int normalised(int paddingIdx, int num) {
        return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
    }

    /** {@code [*]} INT32 or INT64 indices to {@code [*, embeddingDim]}. */
    @Override
    public Tensor forward(Tensor input) {
        Tensor w = parameter("weight");
        return paddingIdx < 0 ? Functional.embedding(input, w) : Functional.embedding(input, w, paddingIdx);
    }

    /** {@return the weight {@code [numEmbeddings, embeddingDim]}} */
    public Tensor weight() {
        return parameter("weight");
    }

    /** {@return the padding row in {@code [0, numEmbeddings)} (normalised as PyTorch stores it), or -1 for none} */
    public int paddingIdx() {
        return paddingIdx;
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx < 0 ? "" : ", padding_idx=" + paddingIdx);
    }

    /** Options of an {@link Embedding}, PyTorch's defaults until set. */
    public static final class Builder extends ModuleBuilder<Builder> {
        private final int numEmbeddings;
        private final int embeddingDim;
        private Integer paddingIdx;

        private Builder(int numEmbeddings, int embeddingDim) {
            this.numEmbeddings = numEmbeddings;
            this.embeddingDim = embeddingDim;
        }

        /**
         * The row that starts at zero and gets no gradient.
         *
         * @param paddingIdx in {@code [-numEmbeddings, numEmbeddings)} (negative counts from the end); default none
         * @return this builder
         */
        public Builder paddingIdx(int paddingIdx) {
            this.paddingIdx = paddingIdx;
            return this;
        }



        /**
         * {@return the layer}
         *
         * @throws IllegalArgumentException if a size is below 1 or paddingIdx is out of range
         */
        public Embedding build() {
            return new Embedding(this);
        }
    }
}
