package dev.kiln.bench;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * Images per second of the seed CNN's full training step (forward, backward, Adam) with the
 * batch already on the device. Repeats a timed block several times and reports each.
 */
public final class TrainBenchmark {
    private TrainBenchmark() {}

    /** Runs {@code warmup} untimed steps, then {@code repeats} timed blocks of {@code steps} steps. */
    public static Sample run(Backend backend, int batch, int warmup, int steps, int repeats) {
        Generator g = new Generator(42);
        float[] x = new float[batch * 28 * 28];
        g.fillUniform(x, 0f, 1f);
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) y[i] = g.nextInt(10);
        double[] ips = new double[repeats];
        float lastLoss = Float.NaN;
        try (SeedCnn model = new SeedCnn(backend, 1);
             Tensor images = Tensor.fromArray(backend, x, batch, 1, 28, 28).unscope();
             Tensor labels = Tensor.fromInts(backend, y, batch).unscope()) {
            for (int i = 0; i < warmup; i++) {
                try (var s = Kiln.scope()) {
                    model.trainStep(images, labels, 1e-3f);
                }
            }
            backend.synchronize();
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < steps; i++) {
                    try (var s = Kiln.scope()) {
                        Tensor loss = model.trainStep(images, labels, 1e-3f);
                        if (i == steps - 1) lastLoss = loss.item(); // item() synchronises
                    }
                }
                backend.synchronize();
                ips[r] = (double) batch * steps / ((System.nanoTime() - t0) / 1e9);
            }
        }
        return new Sample("train", "kiln", backend.name(), "batch " + batch, "images/s", ips,
                backend.description() + ", " + steps + " steps per repeat, last loss " + lastLoss);
    }
}
