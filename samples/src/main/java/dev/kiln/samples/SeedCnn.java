package dev.kiln.samples;

import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.ops.Conv2dOptions;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * The CNN of the seed documents, exactly: Conv 3x3 32 ReLU, MaxPool 2, Conv 3x3 64 ReLU,
 * MaxPool 2, Conv 3x3 64 ReLU, Flatten, Dense 64 ReLU, Dense {@code classes} (93,322 parameters
 * for 10 classes). Input {@code [N, 1, 28, 28]}, output logits {@code [N, classes]}. Parameter
 * names follow PyTorch ({@code features.0.weight} ... {@code classifier.3.bias}), so a
 * checkpoint loads into the same network written as an {@code nn.Module} with attributes
 * {@code features} and {@code classifier}.
 */
public final class SeedCnn extends Module {
    /** Path of the last layer, the head replaced when fine-tuning. */
    public static final String HEAD = "classifier.3";
    /** Path of the convolutional part, frozen when fine-tuning. */
    public static final String FEATURES = "features";
    /** Width of the head's input. */
    public static final int HIDDEN = 64;

    /**
     * Builds the network with PyTorch's default initialisation drawn from {@code init}.
     *
     * @param classes number of outputs
     * @param init    source of the initial weights
     * @param backend where the parameters live
     */
    public SeedCnn(int classes, Generator init, Backend backend) {
        Conv2dOptions conv = Conv2dOptions.defaults();
        registerModule(FEATURES, new Sequential(
                new Conv2d(1, 32, 3, 3, conv, true, init, backend), new ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, 3, conv, true, init, backend), new ReLU(), new MaxPool2d(2),
                new Conv2d(64, 64, 3, 3, conv, true, init, backend), new ReLU()));
        registerModule("classifier", new Sequential(
                new Flatten(), new Linear(64 * 3 * 3, HIDDEN, true, init, backend), new ReLU(),
                new Linear(HIDDEN, classes, true, init, backend)));
    }

    /** {@code [N, 1, 28, 28] -> [N, classes]}. */
    @Override
    public Tensor forward(Tensor input) {
        return call(get("classifier"), call(get(FEATURES), input));
    }
}
