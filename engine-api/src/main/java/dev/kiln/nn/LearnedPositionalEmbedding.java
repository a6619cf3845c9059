package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * A learned position table added to the input (GPT-2's {@code wpe}, BERT's position embeddings):
 * parameter {@code weight [maxLen, D]} drawn from N(0, 1), as PyTorch initialises
 * {@code nn.Embedding}. Input {@code [B, T, D]} when batch first (the default of the short
 * constructor), else {@code [T, B, D]}; output {@code input + weight[:T]} broadcast over the batch,
 * so positions {@code 0 .. T-1} get gradients and the rest none.
 */
public class LearnedPositionalEmbedding extends Module {
    private final int maxLen;
    private final int dModel;
    private final boolean batchFirst;

    /**
     * Batch-first input {@code [B, T, D]}, on the default backend, seeded from {@link Kiln#generator()}.
     *
     * @param maxLen the longest sequence it accepts
     * @param dModel the model width D
     */
    public LearnedPositionalEmbedding(int maxLen, int dModel) {
        this(maxLen, dModel, true, Kiln.generator(), Kiln.backend());
    }

    /**
     * The general form.
     *
     * @param maxLen     the longest sequence it accepts, at least 1
     * @param dModel     the model width D, at least 1
     * @param batchFirst true for {@code [B, T, D]} input, false for {@code [T, B, D]}
     * @param generator  source of the initial values
     * @param backend    where the parameter lives
     * @throws IllegalArgumentException if a size is below 1
     */
    public LearnedPositionalEmbedding(int maxLen, int dModel, boolean batchFirst, Generator generator, Backend backend) {
        PositionalEncodings.checkSizes("LearnedPositionalEmbedding", maxLen, dModel);
        this.maxLen = maxLen;
        this.dModel = dModel;
        this.batchFirst = batchFirst;
        float[] w = new float[Math.multiplyExact(maxLen, dModel)];
        generator.fillNormal(w, 0f, 1f);
        registerParameter("weight", Tensor.fromArray(backend, w, maxLen, dModel).unscope().requiresGrad(true));
    }

    /**
     * {@code input + weight[:T]}.
     *
     * @throws IllegalArgumentException if the input is not 3-D with last dimension D, or T exceeds max_len
     */
    @Override
    public Tensor forward(Tensor input) {
        return PositionalEncodings.addRows("LearnedPositionalEmbedding", input, parameter("weight"), batchFirst);
    }

    /** {@return the table {@code [maxLen, D]}} */
    public Tensor weight() {
        return parameter("weight");
    }

    /** {@return true when the input is {@code [B, T, D]}, false for {@code [T, B, D]}} */
    public boolean batchFirst() {
        return batchFirst;
    }

    @Override
    protected String extraRepr() {
        return "max_len=" + maxLen + ", d_model=" + dModel + ", batch_first=" + batchFirst;
    }
}
