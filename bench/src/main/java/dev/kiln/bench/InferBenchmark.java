package dev.kiln.bench;

import dev.kiln.Kiln;
import dev.kiln.autograd.GradMode;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * Images per second of the seed CNN's forward pass alone (no autograd recording), batch already
 * on the device: the inference counterpart of {@link TrainBenchmark}.
 */
public final class InferBenchmark {
    private InferBenchmark() {}

    /** Runs {@code warmup} untimed forward passes, then {@code repeats} timed blocks of {@code steps}. */
    public static Sample run(Backend backend, int batch, int warmup, int steps, int repeats) {
        float[] x = new float[batch * 28 * 28];
        new Generator(42).fillUniform(x, 0f, 1f);
        double[] ips = new double[repeats];
        try (SeedCnn model = new SeedCnn(backend, 1);
             Tensor images = Tensor.fromArray(backend, x, batch, 1, 28, 28).unscope();
             GradMode.Restore off = GradMode.disable()) {
            for (int i = 0; i < warmup; i++) {
                try (var s = Kiln.scope()) {
                    model.forward(images).toFloatArray();
                }
            }
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < steps; i++) {
                    try (var s = Kiln.scope()) {
                        Tensor logits = model.forward(images);
                        if (i == steps - 1) logits.toFloatArray(); // synchronises
                    }
                }
                backend.synchronize();
                ips[r] = (double) batch * steps / ((System.nanoTime() - t0) / 1e9);
            }
        }
        return new Sample("infer", "kiln", backend.name(), "batch " + batch, "images/s", ips, backend.description());
    }
}
