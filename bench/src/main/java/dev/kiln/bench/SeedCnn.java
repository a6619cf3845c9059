package dev.kiln.bench;

import dev.kiln.internal.TensorAccess;
import dev.kiln.ops.Conv2dOptions;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Pool2dOptions;
import dev.kiln.ops.Reduction;
import dev.kiln.spi.AdamSpec;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed CNN (Conv 3x3 32 ReLU, MaxPool 2, Conv 3x3 64 ReLU, MaxPool 2, Conv 3x3 64 ReLU,
 * Flatten, Dense 64 ReLU, Dense 10) written directly on {@link Functional}, each convolution with
 * its ReLU and the max pool after it as one fused op ({@link Functional#conv2dReluMaxPool2d}; the
 * last one as {@link Functional#conv2dRelu}), with a fused Adam step, so the training step can be benchmarked on any backend without the nn layer.
 * PyTorch's default initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases.
 */
public final class SeedCnn implements AutoCloseable {
    private final Backend backend;
    private final List<Tensor> params = new ArrayList<>();
    private final List<Tensor> adamM = new ArrayList<>();
    private final List<Tensor> adamV = new ArrayList<>();
    private long step;

    public SeedCnn(Backend backend, long seed) {
        this.backend = backend;
        Generator g = new Generator(seed);
        addLayer(g, new int[] {32, 1, 3, 3}, 9);
        addLayer(g, new int[] {64, 32, 3, 3}, 32 * 9);
        addLayer(g, new int[] {64, 64, 3, 3}, 64 * 9);
        addLayer(g, new int[] {64, 576}, 576);
        addLayer(g, new int[] {10, 64}, 64);
    }

    private void addLayer(Generator g, int[] weightShape, int fanIn) {
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        addParam(g, bound, weightShape);
        addParam(g, bound, weightShape[0]);
    }

    private void addParam(Generator g, float bound, int... shape) {
        float[] d = new float[Math.toIntExact(dev.kiln.tensor.Shape.numel(shape))];
        g.fillUniform(d, -bound, bound);
        params.add(Tensor.fromArray(backend, d, shape).unscope().requiresGrad(true));
        adamM.add(Tensor.full(backend, 0f, shape).unscope());
        adamV.add(Tensor.full(backend, 0f, shape).unscope());
    }

    /** Number of trainable parameters (93,322 for the seed CNN). */
    public long parameterCount() {
        return params.stream().mapToLong(Tensor::numel).sum();
    }

    /** Logits [N, 10] for images [N, 1, 28, 28]. */
    public Tensor forward(Tensor x) {
        Conv2dOptions conv = Conv2dOptions.defaults();
        Pool2dOptions pool = Pool2dOptions.kernel(2);
        Tensor h = Functional.conv2dReluMaxPool2d(x, params.get(0), params.get(1), conv, pool);
        h = Functional.conv2dReluMaxPool2d(h, params.get(2), params.get(3), conv, pool);
        h = Functional.conv2dRelu(h, params.get(4), params.get(5), conv);
        h = h.flatten(1);
        h = Functional.linear(h, params.get(6), params.get(7)).relu();
        return Functional.linear(h, params.get(8), params.get(9));
    }

    /** One Adam(lr) training step on a batch; returns the loss tensor (scalar, in the caller's scope). */
    public Tensor trainStep(Tensor images, Tensor labels, float lr) {
        Tensor loss = Functional.crossEntropy(forward(images), labels, Reduction.MEAN, 0f);
        loss.backward();
        step++;
        List<Storage> p = new ArrayList<>(), gr = new ArrayList<>(), m = new ArrayList<>(), v = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            p.add(TensorAccess.storage(params.get(i)));
            gr.add(TensorAccess.storage(params.get(i).grad()));
            m.add(TensorAccess.storage(adamM.get(i)));
            v.add(TensorAccess.storage(adamV.get(i)));
        }
        backend.adamStep(new AdamSpec(lr, 0.9f, 0.999f, 1e-8f, 0f, false, step), p, gr, m, v);
        for (Tensor t : params) t.zeroGrad();
        return loss;
    }

    @Override
    public void close() {
        params.forEach(Tensor::close);
        adamM.forEach(Tensor::close);
        adamV.forEach(Tensor::close);
    }

    // ---- parity with the DJL peer (issue 13) ----

    /**
     * The parameters in layer order, each weight before its bias (conv1, conv2, conv3, dense1,
     * dense2), named as in PyTorch's {@code nn.Sequential} of {@code torch_train.py} ("0.weight",
     * "0.bias", "3.weight", ..., "11.bias"): the live tensors, not copies.
     */
    public java.util.Map<String, Tensor> namedParameters() {
        int[] layer = {0, 3, 6, 9, 11};
        java.util.Map<String, Tensor> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) m.put(layer[i / 2] + (i % 2 == 0 ? ".weight" : ".bias"), params.get(i));
        return m;
    }
}
