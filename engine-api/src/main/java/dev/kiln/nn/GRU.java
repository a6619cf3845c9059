package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.tensor.Tensor;

/**
 * Gated recurrent unit over a sequence, as PyTorch's {@code nn.GRU}: per step, with gates in the
 * order r, z, n, {@code r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)}, {@code z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)},
 * {@code n = tanh(W_in x + b_in + r * (W_hn h + b_hn))} and {@code h' = (1 - z) * n + z * h}.
 * Parameters are named and shaped as PyTorch's ({@code weight_ih_l0 [3 * hidden, input]},
 * {@code weight_hh_l0 [3 * hidden, hidden]}, {@code bias_ih_l0}, {@code bias_hh_l0}, {@code ..._reverse}).
 *
 * <p>{@link #forward} returns the output sequence; {@link #run(Tensor, Tensor)} also takes the
 * initial hidden state and returns the final one.
 */
public final class GRU extends RecurrentBase {
    /**
     * What one call computes.
     *
     * @param output the last layer's hidden state at every step, {@code [seq_len, batch, directions * hidden]}
     *               ({@code [batch, seq_len, ...]} when batch-first, {@code [seq_len, ...]} unbatched)
     * @param hN     every layer's and direction's final hidden state, {@code [layers * directions, batch, hidden]}
     */
    public record Result(Tensor output, Tensor hN) {}

    /** Options of a {@link GRU}; see {@link RecurrentBuilder} for the shared ones. */
    public static final class Builder extends RecurrentBuilder<Builder, GRU> {
        private Builder(int inputSize, int hiddenSize) {
            super(inputSize, hiddenSize);
        }

        @Override
        public GRU build() {
            return new GRU(this);
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
    public GRU(int inputSize, int hiddenSize) {
        this(builder(inputSize, hiddenSize));
    }

    private GRU(Builder b) {
        super("gru", 3, b);
    }

    @Override
    Tensor[] scan(Tensor xg, Tensor wHh, Tensor bHh, Tensor h0, Tensor c0, boolean reverse) {
        return Functional.gruScan(xg, wHh, bHh, h0, reverse);
    }

    /** The output sequence (see {@link Result#output()}), from a zero initial state. */
    @Override
    public Tensor forward(Tensor input) {
        return run(input, null).output();
    }

    /**
     * Runs the sequence from a zero initial state.
     *
     * @param input {@code [seq_len, batch, input_size]} ({@code [batch, seq_len, input_size]} when batch-first), or {@code [seq_len, input_size]}
     * @return the output sequence and the final hidden states
     * @throws IllegalArgumentException if the input's shape does not fit
     */
    public Result run(Tensor input) {
        return run(input, null);
    }

    /**
     * Runs the sequence from the given initial hidden state.
     *
     * @param input {@code [seq_len, batch, input_size]} ({@code [batch, seq_len, input_size]} when batch-first), or {@code [seq_len, input_size]}
     * @param h0    initial hidden states {@code [layers * directions, batch, hidden]}, or null for zeros
     * @return the output sequence and the final hidden states
     * @throws IllegalArgumentException if the input's or the state's shape does not fit
     */
    public Result run(Tensor input, Tensor h0) {
        Tensor[] r = runLayers(input, h0, null);
        return new Result(r[0], r[1]);
    }
}
