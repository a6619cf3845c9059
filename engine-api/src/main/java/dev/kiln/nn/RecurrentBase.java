package dev.kiln.nn;

import dev.kiln.ops.Functional;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * What RNN, LSTM and GRU share: PyTorch's parameters ({@code weight_ih_l{k}}, {@code weight_hh_l{k}},
 * {@code bias_ih_l{k}}, {@code bias_hh_l{k}}, with {@code _reverse} for the backward direction, in
 * that order per layer and direction, all drawn from U(-1/sqrt(hidden), 1/sqrt(hidden))), the
 * input and state layouts, and the loop over layers and directions. Each layer and direction
 * projects the whole input sequence with one GEMM ({@link Functional#linear}) and then runs one
 * recurrent scan ({@link Functional#lstmScan} and its siblings).
 */
abstract class RecurrentBase extends Module {
    final String kind;
    final int gates;
    final int inputSize, hiddenSize, numLayers;
    final boolean bias, batchFirst, bidirectional;
    final float dropout;
    final Generator generator;

    RecurrentBase(String kind, int gates, RecurrentBuilder<?, ?> b) {
        this.kind = kind;
        this.gates = gates;
        if (b.inputSize < 1 || b.hiddenSize < 1) {
            throw new IllegalArgumentException(kind + ": input_size and hidden_size must be >= 1, got " + b.inputSize + " and " + b.hiddenSize);
        }
        if (b.numLayers < 1) throw new IllegalArgumentException(kind + ": num_layers must be >= 1, got " + b.numLayers);
        if (!(b.dropout >= 0f && b.dropout < 1f)) {
            throw new IllegalArgumentException(kind + ": dropout must be in [0, 1), got " + b.dropout);
        }
        if ((long) gates * b.hiddenSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(kind + ": hidden_size " + b.hiddenSize + " is too large");
        }
        this.inputSize = b.inputSize;
        this.hiddenSize = b.hiddenSize;
        this.numLayers = b.numLayers;
        this.bias = b.bias;
        this.batchFirst = b.batchFirst;
        this.bidirectional = b.bidirectional;
        this.dropout = b.dropout;
        this.generator = b.generatorOrDefault();
        var backend = b.backendOrDefault();
        double bound = Init.defaultBound(hiddenSize);
        int gh = gates * hiddenSize;
        for (int l = 0; l < numLayers; l++) {
            int in = l == 0 ? inputSize : hiddenSize * directions();
            for (int d = 0; d < directions(); d++) {
                String sfx = suffix(l, d);
                registerParameter("weight_ih" + sfx, Init.uniformParameter(backend, generator, bound, gh, in));
                registerParameter("weight_hh" + sfx, Init.uniformParameter(backend, generator, bound, gh, hiddenSize));
                if (bias) {
                    registerParameter("bias_ih" + sfx, Init.uniformParameter(backend, generator, bound, gh));
                    registerParameter("bias_hh" + sfx, Init.uniformParameter(backend, generator, bound, gh));
                }
            }
        }
    }

    /** {@code _l0}, {@code _l1_reverse}, ... */
    static String suffix(int layer, int direction) {
        return "_l" + layer + (direction == 1 ? "_reverse" : "");
    }

    final int directions() {
        return bidirectional ? 2 : 1;
    }

    /**
     * One layer and direction over the whole sequence.
     *
     * @param xg the input projections {@code [seq_len, batch, gates * hidden]}
     * @param wHh the recurrent weight
     * @param bHh the recurrent bias or null
     * @param h0 the initial hidden state {@code [batch, hidden]} or null
     * @param c0 the initial cell state (LSTM) or null
     * @param reverse the backward direction
     * @return {@code {output, hN}} or, for the LSTM, {@code {output, hN, cN}}
     */
    abstract Tensor[] scan(Tensor xg, Tensor wHh, Tensor bHh, Tensor h0, Tensor c0, boolean reverse);

    /**
     * Runs every layer and direction.
     *
     * @param input {@code [seq_len, batch, input_size]} ({@code [batch, seq_len, input_size]} when batch-first) or unbatched {@code [seq_len, input_size]}
     * @param h0 initial hidden states {@code [layers * directions, batch, hidden]} ({@code [layers * directions, hidden]} unbatched), or null
     * @param c0 initial cell states, same shape, or null (LSTM only)
     * @return {@code {output, hN, cN}} with cN null except for the LSTM
     */
    final Tensor[] runLayers(Tensor input, Tensor h0, Tensor c0) {
        if (input == null) throw new IllegalArgumentException(kind + ": input must not be null");
        int[] s = input.shape();
        if (s.length != 2 && s.length != 3) {
            throw new IllegalArgumentException(kind + ": expected input to be 2-D or 3-D but received " + s.length + "-D tensor of shape "
                    + Shape.str(s));
        }
        if (s[s.length - 1] != inputSize) {
            throw new IllegalArgumentException(kind + ": input.size(-1) must be equal to input_size. Expected " + inputSize + ", got "
                    + s[s.length - 1]);
        }
        boolean batched = s.length == 3;
        Tensor x = batched ? input : Functional.unsqueeze(input, 1);
        if (batched && batchFirst) x = Functional.transpose(x, 0, 1);
        int steps = x.shape()[0], batch = x.shape()[1];
        if (steps < 1) throw new IllegalArgumentException(kind + ": expected a sequence of at least one step, got input of shape " + Shape.str(s));
        int states = numLayers * directions();
        Tensor hInit = state("hx", h0, batched, states, batch);
        Tensor cInit = state("cx", c0, batched, states, batch);
        List<Tensor> hN = new ArrayList<>(), cN = new ArrayList<>();
        Tensor layerIn = x;
        for (int l = 0; l < numLayers; l++) {
            Tensor[] outs = new Tensor[directions()];
            for (int d = 0; d < directions(); d++) {
                String sfx = suffix(l, d);
                int idx = l * directions() + d;
                Tensor xg = Functional.linear(layerIn, parameter("weight_ih" + sfx), parameter("bias_ih" + sfx));
                Tensor[] r = scan(xg, parameter("weight_hh" + sfx), parameter("bias_hh" + sfx),
                        hInit == null ? null : Functional.select(hInit, 0, idx), cInit == null ? null : Functional.select(cInit, 0, idx),
                        d == 1);
                outs[d] = r[0];
                hN.add(r[1]);
                if (r.length > 2) cN.add(r[2]);
            }
            layerIn = outs.length == 1 ? outs[0] : Functional.cat(2, outs);
            if (dropout > 0f && isTraining() && l < numLayers - 1) layerIn = Functional.dropout(layerIn, dropout, true, generator);
        }
        Tensor out = layerIn, h = Functional.stack(0, hN.toArray(Tensor[]::new));
        Tensor c = cN.isEmpty() ? null : Functional.stack(0, cN.toArray(Tensor[]::new));
        if (!batched) {
            out = Functional.squeeze(out, 1);
            h = Functional.squeeze(h, 1);
            if (c != null) c = Functional.squeeze(c, 1);
        } else if (batchFirst) {
            out = Functional.transpose(out, 0, 1);
        }
        return new Tensor[] {out, h, c};
    }

    /** An initial state checked against PyTorch's expected shape, as {@code [states, batch, hidden]}; null stays null. */
    private Tensor state(String name, Tensor t, boolean batched, int states, int batch) {
        if (t == null) return null;
        int[] want = batched ? new int[] {states, batch, hiddenSize} : new int[] {states, hiddenSize};
        if (!java.util.Arrays.equals(t.shape(), want)) {
            throw new IllegalArgumentException(kind + ": expected " + name + " of size " + Shape.str(want) + ", got " + Shape.str(t.shape()));
        }
        return batched ? t : Functional.unsqueeze(t, 1);
    }

    /** {@return the number of features of each input step} */
    public final int inputSize() {
        return inputSize;
    }

    /** {@return the number of features of the hidden state (per direction)} */
    public final int hiddenSize() {
        return hiddenSize;
    }

    /** {@return the number of stacked layers} */
    public final int numLayers() {
        return numLayers;
    }

    /** {@return whether each layer also runs backwards over the sequence} */
    public final boolean isBidirectional() {
        return bidirectional;
    }

    /** {@return whether sequences are {@code [batch, seq_len, features]}} */
    public final boolean isBatchFirst() {
        return batchFirst;
    }

    /** {@return the dropout probability between layers} */
    public final float dropout() {
        return dropout;
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(inputSize).append(", ").append(hiddenSize);
        if (numLayers != 1) sb.append(", num_layers=").append(numLayers);
        if (!bias) sb.append(", bias=false");
        if (batchFirst) sb.append(", batch_first=true");
        if (dropout != 0f) sb.append(", dropout=").append(dropout);
        if (bidirectional) sb.append(", bidirectional=true");
        return sb.toString();
    }
}
