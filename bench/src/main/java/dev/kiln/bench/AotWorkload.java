package dev.kiln.bench;

import dev.kiln.nn.gpt.GptConfig;
import dev.kiln.spi.Backend;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./kiln bench aot-workload}: the training run that {@code ./kiln aot} records the JDK's
 * ahead-of-time cache from (docs/warmup.md). It touches the hot paths of every launcher command
 * once or a few times, small and short (about 20-60 s on 2 cores): seed-CNN training and inference,
 * an LSTM and a GRU step, a transformer encoder layer step, a GPT training step and generation with
 * and without the KV cache. What the cache keeps is the classes these load (and, where the JVM can
 * keep them, their method profiles), so breadth matters more than length here.
 */
public final class AotWorkload {
    private AotWorkload() {}

    /**
     * Runs the workload on {@code backend}.
     *
     * @param backend the backend the commands will use later (the CPU one for the cache)
     * @param rounds how many times each workload's timed block runs (1 or more; more records hotter profiles)
     * @return one sample per workload, for the table
     */
    public static List<Sample> run(Backend backend, int rounds) {
        if (rounds < 1) throw new IllegalArgumentException("bench aot-workload: --rounds must be at least 1, got " + rounds);
        List<Sample> samples = new ArrayList<>();
        samples.add(TrainBenchmark.run(backend, 64, 2, 5, rounds));
        samples.add(InferBenchmark.run(backend, 256, 1, 3, rounds));
        samples.add(LstmBenchmark.run(backend, "lstm", 64, 1, 2, rounds));
        samples.add(LstmBenchmark.run(backend, "gru", 64, 1, 2, rounds));
        samples.add(TransformerBenchmark.run(backend, 16, 64, 1, 2, rounds));
        GptConfig small = GptConfig.builder().layers(2).width(128).heads(4).contextLength(64).vocabSize(512).build();
        samples.add(GptBenchmark.train(backend, small, 8, 1, 2, rounds));
        for (boolean cache : new boolean[] {true, false}) samples.add(GptBenchmark.generate(backend, small, 8, cache, 1, rounds));
        return samples;
    }
}
