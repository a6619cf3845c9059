package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.tensor.Tensor;

/**
 * Long short-term memory over a sequence, as PyTorch's {@code nn.LSTM}: per step, with gates in
 * the order i, f, g, o,
 * {@code c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g)} and {@code h_t = sigmoid(o) * tanh(c_t)},
 * where each gate is {@code x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh}. Parameters are named and
 * shaped as PyTorch's ({@code weight_ih_l0 [4 * hidden, input]}, {@code weight_hh_l0 [4 * hidden, hidden]},
 * {@code bias_ih_l0}, {@code bias_hh_l0 [4 * hidden]}, {@code ..._reverse} for the second
 * direction), so state dicts move both ways.
 *
 * <p>{@link #forward} returns the output sequence, so the layer composes in a {@link Sequential};
 * {@link #run(Tensor, State)} also takes initial states and returns the final ones.
 */
public final class LSTM extends RecurrentBase {
    /**
     * Hidden and cell states of every layer and direction.
     *
     * @param h hidden states {@code [layers * directions, batch, hidden]} ({@code [layers * directions, hidden]} for an unbatched input)
     * @param c cell states, the same shape
     */
    public record State(Tensor h, Tensor c) {}

    /**
     * What one call computes.
     *
     * @param output the last layer's hidden state at every step, {@code [seq_len, batch, directions * hidden]}
     *               ({@code [batch, seq_len, ...]} when batch-first, {@code [seq_len, ...]} unbatched)
     * @param hN     every layer's and direction's final hidden state, {@code [layers * directions, batch, hidden]}
     * @param cN     the final cell states, the same shape
     */
    public record Result(Tensor output, Tensor hN, Tensor cN) {
        /** {@return the final states, to continue the sequence in a next call} */
        public State state() {
            return new State(hN, cN);
        }
    }

    /** Options of an {@link LSTM}; see {@link RecurrentBuilder} for the shared ones. */
    public static final class Builder extends RecurrentBuilder<Builder, LSTM> {
        private Builder(int inputSize, int hiddenSize) {
            super(inputSize, hiddenSize);
        }

        @Override
        public LSTM build() {
            return new LSTM(this);
        }
    }

    /**
     * Starts a builder with PyTorch's defaults.
     *
     * @param inputSize  features of each input step
     * @param hiddenSize features of the hidden state
     * @return the builder
     */
    public static Builder builder(int inputSize, int hiddenSize) {
        return new Builder(inputSize, hiddenSize);
    }

    /**
     * One layer, one direction, with biases, sequence-first; on the default backend.
     *
     * @param inputSize  features of each input step
     * @param hiddenSize features of the hidden state
     * @throws IllegalArgumentException if a size is below 1
     */
    public LSTM(int inputSize, int hiddenSize) {
        this(builder(inputSize, hiddenSize));
    }

    private LSTM(Builder b) {
        super("lstm", 4, b);
    }

    @Override
    Tensor[] scan(Tensor xg, Tensor wHh, Tensor bHh, Tensor h0, Tensor c0, boolean reverse) {
        return Functional.lstmScan(xg, wHh, bHh, h0, c0, reverse);
    }

    /** The output sequence (see {@link Result#output()}), from zero initial states. */
    @Override
    public Tensor forward(Tensor input) {
        return run(input, null).output();
    }

    /**
     * Runs the sequence from zero initial states.
     *
     * @param input {@code [seq_len, batch, input_size]} ({@code [batch, seq_len, input_size]} when batch-first), or {@code [seq_len, input_size]}
     * @return the output sequence and the final states
     * @throws IllegalArgumentException if the input's shape does not fit
     */
    public Result run(Tensor input) {
        return run(input, null);
    }

    /**
     * Runs the sequence from the given initial states.
     *
     * @param input   {@code [seq_len, batch, input_size]} ({@code [batch, seq_len, input_size]} when batch-first), or {@code [seq_len, input_size]}
     * @param initial the initial states, or null for zeros; either component may be null for zeros
     * @return the output sequence and the final states
     * @throws IllegalArgumentException if the input's or a state's shape does not fit
     */
    public Result run(Tensor input, State initial) {
        Tensor[] r = runLayers(input, initial == null ? null : initial.h(), initial == null ? null : initial.c());
        return new Result(r[0], r[1], r[2]);
    }
}
