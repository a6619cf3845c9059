package dev.kiln.snippets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.Batch;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.AdamW;
import dev.kiln.optim.WeightDecayGroups;
import dev.kiln.optim.schedule.WarmupCosine;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import dev.kiln.train.StepEvaluation;
import dev.kiln.train.StepListener;
import dev.kiln.train.StepRecord;
import dev.kiln.train.StepTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example of {@link StepTrainer}'s javadoc, run as a test: a bigram model (an embedding and a
 * linear head) learns text that repeats "abcdefgh", to a validation perplexity near 1.
 */
class StepTrainerSnippetsTest {
    private static final int VOCAB = 8, CONTEXT = 8, BATCH = 4;

    @TempDir
    Path dir;

    /** Random windows of the repeating corpus 0..7, drawn from {@code g}: inputs and the next tokens. */
    private static Supplier<Batch> windows(Generator g) {
        return () -> {
            long[] x = new long[BATCH * CONTEXT], y = new long[BATCH * CONTEXT];
            for (int b = 0; b < BATCH; b++) {
                int start = g.nextInt(VOCAB);
                for (int t = 0; t < CONTEXT; t++) {
                    x[b * CONTEXT + t] = (start + t) % VOCAB;
                    y[b * CONTEXT + t] = (start + t + 1) % VOCAB;
                }
            }
            Map<String, Tensor> f = new LinkedHashMap<>();
            f.put("tokens", Tensor.fromLongs(x, BATCH, CONTEXT));
            f.put("targets", Tensor.fromLongs(y, BATCH, CONTEXT));
            return new Batch(f, "targets");
        };
    }

    @Test
    void fitTrainsEvaluatesAndResumes() throws IOException {
        int steps = 60;
        Path checkpoint = dir.resolve("lm.safetensors");
        Generator windowStream = new Generator(3);
        Supplier<Batch> windows = windows(windowStream);
        List<Batch> validation = List.of(windows(new Generator(4)).get());
        List<StepEvaluation> evaluations = new ArrayList<>();
        try (Module model = new Sequential(new Embedding(VOCAB, 16), new Linear(16, VOCAB))) {
            // @start region="fit"
            AdamW optimizer = AdamW.builder(WeightDecayGroups.of(model).paramGroups(0.1)).lr(0.05).build();
            StepTrainer trainer = StepTrainer.builder(model, optimizer, windows) // a Supplier<Batch>: tokens, targets [B, T]
                    .gradientAccumulation(2)                                   // 2 micro-batches per optimizer step
                    .clipGradNorm(1.0)
                    .schedule(new WarmupCosine(10, steps, 0.1))                // warm-up, then a cosine to 10% of the peak
                    .evaluateEvery(20, validation)                             // validation loss per token, perplexity
                    .checkpointEvery(20, checkpoint)                           // model, optimizer, step, streams, history
                    .randomStream("windows", windowStream)                     // the stream the windows are drawn from
                    .listener(StepListener.atEvaluation((t, e) -> evaluations.add(e))) // or StepProgress.forConsole()
                    .build();
            if (Files.exists(checkpoint)) trainer.resume(checkpoint);          // carries on exactly where it stopped
            List<StepRecord> history = trainer.fit(steps);
            // @end
            assertEquals(steps, history.size());
            assertEquals(3, evaluations.size());
            assertTrue(evaluations.getLast().perplexity() < 1.5, evaluations.toString());
            assertTrue(Files.isRegularFile(checkpoint));
            optimizer.close();
        } finally {
            validation.forEach(Batch::close);
        }
    }
}
