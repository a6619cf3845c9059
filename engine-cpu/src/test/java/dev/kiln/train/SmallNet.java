package dev.kiln.train;

import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.ops.Conv2dOptions;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;

/** A small CNN for 12x12 images: Conv 3x3 8 ReLU, MaxPool 2, Flatten, Dropout, Linear 200 -> classes. */
final class SmallNet {
    private SmallNet() {}

    static Sequential create(Generator init, Generator dropout, int classes, Backend backend) {
        return new Sequential(new Conv2d(1, 8, 3, 3, Conv2dOptions.defaults(), true, init, backend), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Dropout(0.2f, dropout), new Linear(8 * 5 * 5, classes, true, init, backend));
    }
}
