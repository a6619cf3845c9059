package dev.kiln.bench;

import dev.kiln.Kiln;
import dev.kiln.autograd.GradMode;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import dev.kiln.io.SafeTensors;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ./kiln bench cold train|infer [--batch 64] [--steps 160]}: the Kiln side of the cold
 * protocol. Meant to run in a fresh JVM: it builds the seed CNN and one batch of random data, then
 * runs the steps from the very first one, with no warm-up, and prints a {@link Timeline} JSON line
 * (each step's end after the first step's start, and the time from JVM start to the first step),
 * the same shape as {@code DjlTrain --timeline}. The steps are those of {@link TrainBenchmark}
 * (forward, cross-entropy, backward, Adam 1e-3) and {@link InferBenchmark} (forward without autograd).
 */
final class ColdRun {
    private ColdRun() {}

    /**
     * Runs {@code steps} steps of {@code mode} ("train" or "infer") at {@code batch} on {@code backend}.
     * With {@code initOut}, first writes the initial parameters ({@link SeedCnn#namedParameters}
     * names) and the batch ("x" images, "y" labels) there as safetensors, for
     * {@code DjlTrain --init} to start from the same point (a parity check, not a timed run).
     */
    static Timeline run(Backend backend, String mode, int batch, int steps, Path initOut) throws IOException {
        if (!mode.equals("train") && !mode.equals("infer")) throw new IllegalArgumentException("bench cold: expected mode train or infer, found '" + mode + "'");
        if (steps < 1) throw new IllegalArgumentException("bench cold: expected --steps >= 1, found " + steps);
        Generator g = new Generator(42);
        float[] x = new float[batch * 28 * 28];
        g.fillUniform(x, 0f, 1f);
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) y[i] = g.nextInt(10);
        boolean train = mode.equals("train");
        long[] ends = new long[steps];
        double first = Double.NaN, last = Double.NaN;
        Instant startWall;
        try (SeedCnn model = new SeedCnn(backend, 1);
             Tensor images = Tensor.fromArray(backend, x, batch, 1, 28, 28).unscope();
             Tensor labels = Tensor.fromInts(backend, y, batch).unscope();
             GradMode.Restore grad = train ? null : GradMode.disable()) {
            if (initOut != null) {
                Map<String, Tensor> init = new LinkedHashMap<>(model.namedParameters());
                init.put("x", images);
                init.put("y", labels);
                SafeTensors.write(initOut, init, Map.of("what", "seed CNN initial parameters and batch (bench cold)"));
            }
            startWall = Instant.now();
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                boolean report = i == 0 || i == steps - 1;
                try (var s = Kiln.scope()) {
                    Tensor out = train ? model.trainStep(images, labels, 1e-3f) : model.forward(images);
                    if (report) {
                        double v = train ? out.item() : sum(out.toFloatArray());
                        if (i == 0) first = v;
                        last = v;
                    }
                }
                backend.synchronize();
                ends[i] = System.nanoTime() - t0;
            }
        }
        long startUs = startWall.getEpochSecond() * 1_000_000L + startWall.getNano() / 1000;
        double jvmToFirst = startUs / 1000.0 - ManagementFactory.getRuntimeMXBean().getStartTime();
        return new Timeline("kiln", mode, batch, backend.description(), jvmToFirst, startUs, ends, first, last);
    }

    private static double sum(float[] v) {
        double s = 0;
        for (float f : v) s += f;
        return s;
    }
}
