package dev.kiln.nn;

import dev.kiln.Kiln;

/**
 * The options shared by {@link RNN}, {@link LSTM} and {@link GRU}, with PyTorch's defaults: one
 * layer, biases, {@code [seq_len, batch, features]} inputs, no dropout, one direction; parameters
 * drawn from {@link Kiln#generator()} on {@link Kiln#backend()}.
 *
 * @param <S> the concrete builder, returned by every setter
 * @param <M> the layer it builds
 */
public abstract class RecurrentBuilder<S extends RecurrentBuilder<S, M>, M extends Module> extends ModuleBuilder<S> {
    final int inputSize;
    final int hiddenSize;
    int numLayers = 1;
    boolean bias = true;
    boolean batchFirst;
    float dropout;
    boolean bidirectional;

    RecurrentBuilder(int inputSize, int hiddenSize) {
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
    }

    @SuppressWarnings("unchecked")
    private S self() {
        return (S) this;
    }

    /**
     * Stacked layers; each layer after the first reads the previous one's output sequence.
     *
     * @param numLayers at least 1 (default 1)
     * @return this builder
     */
    public S numLayers(int numLayers) {
        this.numLayers = numLayers;
        return self();
    }

    /**
     * Whether the layers have {@code bias_ih} and {@code bias_hh} (default true).
     *
     * @param bias false for no biases
     * @return this builder
     */
    public S bias(boolean bias) {
        this.bias = bias;
        return self();
    }

    /**
     * Input and output sequences as {@code [batch, seq_len, features]} instead of
     * {@code [seq_len, batch, features]} (default false). States keep {@code [layers * directions, batch, hidden]}.
     *
     * @param batchFirst true for batch-major sequences
     * @return this builder
     */
    public S batchFirst(boolean batchFirst) {
        this.batchFirst = batchFirst;
        return self();
    }

    /**
     * Dropout probability on each layer's output except the last, in training mode only (default 0).
     *
     * @param p in [0, 1)
     * @return this builder
     */
    public S dropout(float p) {
        this.dropout = p;
        return self();
    }

    /**
     * A second direction per layer, reading the sequence backwards; outputs concatenate both
     * directions' features (default false).
     *
     * @param bidirectional true for two directions
     * @return this builder
     */
    public S bidirectional(boolean bidirectional) {
        this.bidirectional = bidirectional;
        return self();
    }



    /**
     * Creates the layer.
     *
     * @return the new layer, owning freshly initialised parameters
     * @throws IllegalArgumentException if a size or the dropout probability is out of range
     */
    public abstract M build();
}
