package dev.kiln.bench;

import dev.kiln.Kiln;
import dev.kiln.nn.GRU;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Linear;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.optim.Adam;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Sequences per second of the seq-MNIST LSTM's training step: an image read as 28 steps of 28
 * pixels, {@code LSTM(28, 128, batch_first)} (or the GRU), a linear head on the last step's hidden
 * state, cross-entropy and Adam, with the batch already on the device.
 * {@code bench/peers/torch_lstm_step.py} times the same step in PyTorch.
 */
public final class LstmBenchmark {
    private LstmBenchmark() {}

    /** Runs {@code warmup} untimed steps, then {@code repeats} timed blocks of {@code steps} steps, of the LSTM. */
    public static Sample run(Backend backend, int batch, int warmup, int steps, int repeats) {
        return run(backend, "lstm", batch, warmup, steps, repeats);
    }

    /**
     * Runs {@code warmup} untimed steps, then {@code repeats} timed blocks of {@code steps} steps.
     *
     * @param cell "lstm" or "gru"
     */
    public static Sample run(Backend backend, String cell, int batch, int warmup, int steps, int repeats) {
        if (!cell.equals("lstm") && !cell.equals("gru")) throw new IllegalArgumentException("bench lstm: --cell must be lstm or gru, got " + cell);
        boolean lstmCell = cell.equals("lstm");
        Generator g = new Generator(42);
        float[] x = new float[batch * 28 * 28];
        g.fillUniform(x, 0f, 1f);
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) y[i] = g.nextInt(10);
        double[] sps = new double[repeats];
        float lastLoss = Float.NaN;
        try (LSTM lstm = lstmCell ? LSTM.builder(28, 128).batchFirst(true).backend(backend).generator(g).build() : null;
             GRU gru = lstmCell ? null : GRU.builder(28, 128).batchFirst(true).backend(backend).generator(g).build();
             Linear head = new Linear(128, 10, true, g, backend);
             Tensor images = Tensor.fromArray(backend, x, batch, 28, 28).unscope();
             Tensor labels = Tensor.fromInts(backend, y, batch).unscope()) {
            List<Tensor> params = new ArrayList<>(lstmCell ? lstm.parameters() : gru.parameters());
            params.addAll(head.parameters());
            try (Adam adam = new Adam(params, 1e-3)) { // closes its moment tensors
                for (int r = -1; r < repeats; r++) {
                    int n = r < 0 ? warmup : steps;
                    backend.synchronize();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        try (var s = Kiln.scope()) {
                            Tensor hN = lstmCell ? lstm.run(images).hN() : gru.run(images).hN();
                            Tensor logits = head.forward(Functional.select(hN, 0, 0));
                            Tensor loss = Functional.crossEntropy(logits, labels, Reduction.MEAN, 0f);
                            adam.zeroGrad();
                            loss.backward();
                            adam.step();
                            if (i == n - 1) lastLoss = loss.item();
                        }
                    }
                    backend.synchronize();
                    if (r >= 0) sps[r] = (double) batch * steps / ((System.nanoTime() - t0) / 1e9);
                }
            }
        }
        return new Sample(cell, "kiln", backend.name(), "seq-mnist batch " + batch, "seq/s", sps,
                backend.description() + ", " + steps + " steps per repeat, last loss " + lastLoss);
    }
}
