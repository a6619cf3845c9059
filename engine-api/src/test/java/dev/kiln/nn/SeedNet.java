package dev.kiln.nn;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * The seed CNN as modules (Conv 3x3 32 ReLU, MaxPool 2, Conv 3x3 64 ReLU, MaxPool 2, Conv 3x3 64
 * ReLU, Flatten, Dense 64 ReLU, Dense 10) with PyTorch-style names {@code features.*} and
 * {@code classifier.*}. Shared by the nn and optim tests of every backend.
 */
public final class SeedNet extends Module {
    public final Sequential features;
    public final Sequential classifier;

    public SeedNet(Generator g, Backend b) {
        var conv = dev.kiln.ops.Conv2dOptions.defaults();
        features = registerModule("features", new Sequential(
                new Conv2d(1, 32, 3, 3, conv, true, g, b), new ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, 3, conv, true, g, b), new ReLU(), new MaxPool2d(2),
                new Conv2d(64, 64, 3, 3, conv, true, g, b), new ReLU()));
        classifier = registerModule("classifier", new Sequential(
                new Flatten(), new Linear(576, 64, true, g, b), new ReLU(), new Linear(64, 10, true, g, b)));
    }

    /** Logits [N, 10] for images [N, 1, 28, 28]. */
    @Override
    public Tensor forward(Tensor x) {
        return call(classifier, call(features, x));
    }
}
