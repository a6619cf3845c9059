package dev.kiln.io;

import dev.kiln.optim.OptimizerState;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.nio.file.Path;
import java.util.Map;

/**
 * The child JVM of {@link CheckpointCrashTest}: saves checkpoint {@code args[0]} over and over,
 * save {@code k} holding the value {@code k} in every tensor and step {@code k}, until killed.
 * Prints "ready" once started and "saved k" after each save returns.
 */
public final class CheckpointCrashChild {
    private CheckpointCrashChild() {}

    /** Runs until killed; {@code args[0]} is the checkpoint, {@code args[1]} the first save number. */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long first = Long.parseLong(args[1]);
        Backend backend = HostOnlyBackend.create();
        int n = CheckpointCrashTest.ELEMENTS;
        System.out.println("ready");
        System.out.flush();
        for (long k = first; ; k++) {
            try (Tensor w = Tensor.full(backend, k, n); Tensor m = Tensor.full(backend, k, n); Tensor v = Tensor.full(backend, k, n)) {
                Checkpoint.save(file, Map.of("w", w), new OptimizerState(Map.of("0.exp_avg", m, "0.exp_avg_sq", v), Map.of("0.step", (double) k)),
                        new TrainingState(0, k));
            }
            System.out.println("saved " + k);
            System.out.flush();
        }
    }
}
