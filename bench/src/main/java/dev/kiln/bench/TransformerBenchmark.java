package dev.kiln.bench;

import dev.kiln.Kiln;
import dev.kiln.nn.TransformerEncoderLayer;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.optim.AdamW;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * Sequences per second of one transformer encoder layer's training step: {@code
 * TransformerEncoderLayer(d_model 256, 4 heads, dim_feedforward 1024, dropout 0, GELU, batch_first,
 * norm_first)} on {@code [batch, 128, 256]} inputs, MSE against a fixed target, backward and an
 * AdamW step (lr 1e-3, weight decay 0.01), the batch already on the device.
 * {@code bench/peers/torch_transformer_step.py} times the identical layer and step in PyTorch.
 */
public final class TransformerBenchmark {
    /** Model width. */
    static final int WIDTH = 256;
    /** Attention heads. */
    static final int HEADS = 4;
    /** Feed-forward width. */
    static final int FF = 1024;

    private TransformerBenchmark() {}

    /** Runs {@code warmup} untimed steps, then {@code repeats} timed blocks of {@code steps} steps. */
    public static Sample run(Backend backend, int batch, int seq, int warmup, int steps, int repeats) {
        Generator g = new Generator(42);
        float[] x = new float[batch * seq * WIDTH], y = new float[x.length];
        g.fillNormal(x, 0f, 1f);
        g.fillNormal(y, 0f, 1f);
        double[] sps = new double[repeats];
        float lastLoss = Float.NaN;
        try (TransformerEncoderLayer layer = TransformerEncoderLayer.builder(WIDTH, HEADS).dimFeedforward(FF).dropout(0f)
                     .activation(TransformerEncoderLayer.Activation.GELU).batchFirst(true).normFirst(true)
                     .generator(g).backend(backend).build();
             Tensor input = Tensor.fromArray(backend, x, batch, seq, WIDTH).unscope();
             Tensor target = Tensor.fromArray(backend, y, batch, seq, WIDTH).unscope();
             AdamW opt = new AdamW(layer.parameters(), 1e-3)) {
            for (int r = -1; r < repeats; r++) {
                int n = r < 0 ? warmup : steps;
                backend.synchronize();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    try (var s = Kiln.scope()) {
                        Tensor loss = Functional.mseLoss(layer.forward(input), target, Reduction.MEAN);
                        opt.zeroGrad();
                        loss.backward();
                        opt.step();
                        if (i == n - 1) lastLoss = loss.item();
                    }
                }
                backend.synchronize();
                if (r >= 0) sps[r] = (double) batch * steps / ((System.nanoTime() - t0) / 1e9);
            }
        }
        return new Sample("transformer", "kiln", backend.name(), "layer batch " + batch + " seq " + seq, "seq/s", sps,
                backend.description() + ", " + steps + " steps per repeat, last loss " + lastLoss);
    }
}
