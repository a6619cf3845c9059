package dev.kiln.testing;

import dev.kiln.Kiln;
import dev.kiln.ops.Conv2dOptions;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Padding;
import dev.kiln.ops.Pool2dOptions;
import dev.kiln.ops.Reduction;
import dev.kiln.optim.SGD;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A small CNN trained with plain SGD, built only from functional ops: conv 3x3 ('same', bias)
 * -> batch norm (training, running statistics) -> relu -> max pool 2 -> flatten -> dropout 0.2
 * -> linear -> cross-entropy (label smoothing 0.1). Parameters and data come from seeds, so two
 * runs with the same seed must agree bit for bit. Used by the leak, determinism and parity checks.
 */
public final class SmallCnn implements AutoCloseable {
    /** Input images are [batch, 1, SIZE, SIZE]. */
    public static final int SIZE = 8, CHANNELS = 4, CLASSES = 3;

    private final Backend backend;
    private final int batch;
    private final Inputs data;
    private final Generator dropout;
    private final List<Tensor> params = new ArrayList<>();
    private final Tensor convW, convB, gamma, beta, linW, linB, runningMean, runningVar;
    private final SGD sgd;

    /** A fresh model and data stream on {@code backend}, all from {@code seed}. */
    public SmallCnn(Backend backend, long seed, int batch) {
        this.backend = backend;
        this.batch = batch;
        Inputs init = new Inputs(seed);
        this.data = new Inputs(seed + 1);
        this.dropout = new Generator(seed + 2);
        int features = CHANNELS * (SIZE / 2) * (SIZE / 2);
        convW = param(init.between(-0.5, 0.5, CHANNELS, 1, 3, 3), true);
        convB = param(init.between(-0.1, 0.1, CHANNELS), true);
        gamma = param(init.between(0.8, 1.2, CHANNELS), true);
        beta = param(init.between(-0.1, 0.1, CHANNELS), true);
        linW = param(init.between(-0.2, 0.2, CLASSES, features), true);
        linB = param(init.between(-0.1, 0.1, CLASSES), true);
        runningMean = param(Nd.zeros(CHANNELS), false);
        runningVar = param(new Nd(new int[] {CHANNELS}, new double[] {1, 1, 1, 1}), false);
        sgd = new SGD(List.of(convW, convB, gamma, beta, linW, linB), 0.05);
    }

    private Tensor param(Nd values, boolean trainable) {
        Tensor t = Tensor.fromArray(backend, values.toFloats(), values.shape()).unscope();
        params.add(t);
        return trainable ? t.requiresGrad(true) : t;
    }

    /**
     * One training step on a fresh batch: forward, backward, SGD update, zero grads. Returns
     * everything it computed (loss, logits, every gradient, the running statistics), flattened.
     */
    public float[] step() {
        Nd images = data.uniform(batch, 1, SIZE, SIZE);
        int[] labels = data.ints(batch, CLASSES);
        List<float[]> parts = new ArrayList<>();
        try (var scope = Kiln.scope()) {
            Tensor x = Tensor.fromArray(backend, images.toFloats(), images.shape());
            Tensor h = Functional.conv2d(x, convW, convB, Conv2dOptions.defaults().padding(Padding.same()));
            h = Functional.batchNorm(h, runningMean, runningVar, gamma, beta, true, 0.1f, 1e-5f).relu();
            h = Functional.maxPool2d(h, Pool2dOptions.kernel(2)).flatten(1);
            h = Functional.dropout(h, 0.2f, true, dropout);
            Tensor logits = Functional.linear(h, linW, linB);
            Tensor loss = Functional.crossEntropy(logits, Tensor.fromInts(backend, labels, batch), Reduction.MEAN, 0.1f);
            loss.backward();
            parts.add(loss.toFloatArray());
            parts.add(logits.toFloatArray());
            for (Tensor p : List.of(convW, convB, gamma, beta, linW, linB)) parts.add(p.grad().toFloatArray());
            sgd.step();
            sgd.zeroGrad();
        }
        parts.add(runningMean.toFloatArray());
        parts.add(runningVar.toFloatArray());
        parts.add(convW.toFloatArray());
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] all = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** Every output of {@code steps} steps of a fresh model from {@code seed}, concatenated. */
    public static float[] run(Backend backend, long seed, int batch, int steps) {
        try (SmallCnn net = new SmallCnn(backend, seed, batch)) {
            float[][] outs = new float[steps][];
            int n = 0;
            for (int i = 0; i < steps; i++) n += (outs[i] = net.step()).length;
            float[] all = new float[n];
            int at = 0;
            for (float[] o : outs) {
                System.arraycopy(o, 0, all, at, o.length);
                at += o.length;
            }
            return all;
        }
    }

    /** Frees the parameters, their gradients and the optimizer state. */
    @Override
    public void close() {
        sgd.close();
        for (Tensor p : params) p.close();
    }
}
