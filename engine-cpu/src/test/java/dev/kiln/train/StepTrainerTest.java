package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.data.Batch;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MSELoss;
import dev.kiln.nn.Module;
import dev.kiln.optim.AdamW;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import dev.kiln.optim.WeightDecayGroups;
import dev.kiln.optim.schedule.WarmupCosine;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The step-based trainer against independent expectations: gradient accumulation against a
 * float64 hand computation and against one big batch, exact resume, evaluation against a float64
 * recomputation of the token-mean cross-entropy, non-finite losses, and a tiny language model
 * that learns a synthetic pattern.
 */
class StepTrainerTest {
    private static final int VOCAB = 16, CONTEXT = 12;

    @TempDir
    Path dir;

    private final Backend cpu = Kiln.backend("cpu");

    // ---------------------------------------------------------------- gradient accumulation

    /** Linear regression rows {@code x [16, 3]}, {@code y [16, 1]}. */
    private static final double[][] X = new double[16][3];
    private static final double[] Y = new double[16];

    static {
        Generator g = new Generator(3);
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 3; j++) X[i][j] = g.nextFloat() * 2 - 1;
            Y[i] = (float) (0.5 * X[i][0] - 2 * X[i][1] + X[i][2] + 0.3 + 0.1 * (g.nextFloat() - 0.5));
        }
    }

    /** Micro-batches of {@code rows} consecutive regression rows, cycling through the 16. */
    private Supplier<Batch> regressionRows(int rows, int[] calls) {
        return () -> {
            int first = calls[0]++ * rows % 16;
            float[] x = new float[rows * 3], y = new float[rows];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < 3; j++) x[r * 3 + j] = (float) X[first + r][j];
                y[r] = (float) Y[first + r];
            }
            Map<String, Tensor> f = new LinkedHashMap<>();
            f.put("x", Tensor.fromArray(cpu, x, rows, 3));
            f.put("y", Tensor.fromArray(cpu, y, rows, 1));
            return new Batch(f, "y");
        };
    }

    @Test
    void accumulatingFourMicroBatchesIsOneStepOnTheirConcatenationComputedByHand() {
        double lr = 0.1;
        int steps = 3;
        try (Linear model = new Linear(3, 1, true, new Generator(1), cpu)) {
            double[] w = toDoubles(model.weight().toFloatArray());
            double b = model.parameters().get(1).toFloatArray()[0];
            int[] calls = {0};
            try (Optimizer sgd = new SGD(model.parameters(), lr)) {
                StepTrainer t = StepTrainer.builder(model, sgd, regressionRows(4, calls)).loss(new MSELoss()).gradientAccumulation(4).build();
                t.fit(steps);
            }
            assertEquals(4 * steps, calls[0], "four micro-batches per step");
            // float64: each step is SGD on the mean squared error over all 16 rows, d/dw = 2/16 sum (w.x + b - y) x
            for (int s = 0; s < steps; s++) {
                double[] gw = new double[3];
                double gb = 0;
                for (int i = 0; i < 16; i++) {
                    double r = w[0] * X[i][0] + w[1] * X[i][1] + w[2] * X[i][2] + b - Y[i];
                    for (int j = 0; j < 3; j++) gw[j] += 2 * r * X[i][j] / 16;
                    gb += 2 * r / 16;
                }
                for (int j = 0; j < 3; j++) w[j] -= lr * gw[j];
                b -= lr * gb;
            }
            float[] got = model.weight().toFloatArray();
            for (int j = 0; j < 3; j++) assertEquals(w[j], got[j], 1e-5, "weight " + j);
            assertEquals(b, model.parameters().get(1).toFloatArray()[0], 1e-5, "bias");
        }
    }

    @Test
    void accumulationMatchesTheBigBatchOnALanguageModel() {
        long[] corpus = TinyLm.cycle(VOCAB, 400, 5);
        Map<String, float[]> accumulated = trainTiny(new TinyLm.Windows(corpus, 4, CONTEXT, new Generator(8), cpu), 4);
        Map<String, float[]> big = trainTiny(new TinyLm.Windows(corpus, 16, CONTEXT, new Generator(8), cpu), 1);
        for (String k : big.keySet()) {
            float[] a = accumulated.get(k), e = big.get(k);
            for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 2e-5, k + "[" + i + "]");
        }
    }

    /** Three SGD steps of a fresh TinyLm (no dropout) with {@code k} micro-batches per step. */
    private Map<String, float[]> trainTiny(Supplier<Batch> batches, int k) {
        try (TinyLm model = new TinyLm(VOCAB, 16, CONTEXT, 0f, new Generator(2), cpu); Optimizer sgd = new SGD(model.parameters(), 0.5)) {
            StepTrainer.builder(model, sgd, batches).gradientAccumulation(k).build().fit(3);
            Map<String, float[]> out = new LinkedHashMap<>();
            model.stateDict().forEach((name, p) -> out.put(name, p.toFloatArray()));
            return out;
        }
    }

    // ---------------------------------------------------------------- resume

    /** One complete set-up: model, AdamW over decay groups, windows, warm-up + cosine, clipping, accumulation, evaluation. */
    private final class Run implements AutoCloseable {
        final TinyLm model;
        final Optimizer optimizer;
        final StepTrainer trainer;
        final List<Batch> validation;

        Run(Path checkpoint) {
            Generator modelStream = new Generator(21), windowStream = new Generator(22);
            model = new TinyLm(VOCAB, 16, CONTEXT, 0.1f, modelStream, cpu);
            optimizer = AdamW.builder(WeightDecayGroups.of(model).paramGroups(0.1)).lr(5e-3).build();
            long[] corpus = TinyLm.cycle(VOCAB, 300, 5);
            validation = List.of(TinyLm.batch(java.util.Arrays.copyOfRange(corpus, 0, 2 * CONTEXT),
                    java.util.Arrays.copyOfRange(corpus, 1, 2 * CONTEXT + 1), 2, CONTEXT, cpu));
            trainer = StepTrainer.builder(model, optimizer, new TinyLm.Windows(corpus, 3, CONTEXT, windowStream, cpu))
                    .gradientAccumulation(2)
                    .clipGradNorm(0.5)
                    .schedule(new WarmupCosine(3, 10, 0.1))
                    .evaluateEvery(3, validation)
                    .checkpointEvery(4, checkpoint)
                    .randomStream("model", modelStream)
                    .randomStream("windows", windowStream)
                    .build();
        }

        Map<String, int[]> bits() {
            return StateBits.of(model, optimizer);
        }

        @Override
        public void close() {
            validation.forEach(Batch::close);
            optimizer.close();
            model.close();
        }
    }

    @Test
    void aRunStoppedAndResumedEndsBitIdenticalToAnUninterruptedOne() throws IOException {
        Map<String, int[]> straight, resumed, atSplit;
        List<StepRecord> straightRows, resumedRows;
        try (Run a = new Run(dir.resolve("a/run.safetensors"))) {
            a.trainer.fit(10);
            straight = a.bits();
            straightRows = a.trainer.history();
        }
        Path split = dir.resolve("b/run.safetensors");
        try (Run b = new Run(split)) {
            b.trainer.fit(5); // the last step of a fit checkpoints, between the checkpoints every 4 steps
            atSplit = b.bits();
        }
        try (Run c = new Run(dir.resolve("c/run.safetensors"))) {
            assertTrue(Files.isRegularFile(split));
            c.trainer.resume(split);
            assertEquals(5, c.trainer.step());
            assertArrayEquals(atSplit.get("model.head.weight"), c.bits().get("model.head.weight"));
            c.trainer.fit(10);
            resumed = c.bits();
            resumedRows = c.trainer.history();
        }
        assertFalse(java.util.Arrays.equals(atSplit.get("model.head.weight"), straight.get("model.head.weight")), "steps 6 to 10 trained");
        assertEquals(straight.keySet(), resumed.keySet());
        for (String k : straight.keySet()) assertArrayEquals(straight.get(k), resumed.get(k), k + " differs after resuming");
        // one row per step in both; the split run also evaluated at its stop (step 5)
        assertEquals(10, straightRows.size());
        assertEquals(10, resumedRows.size());
        for (int i = 0; i < 10; i++) {
            StepRecord s = straightRows.get(i), r = resumedRows.get(i);
            assertEquals(s.step(), r.step());
            assertEquals(s.trainLoss(), r.trainLoss(), "train loss of step " + s.step());
            assertEquals(s.lr(), r.lr(), "lr of step " + s.step());
            if (s.step() % 3 == 0 || s.step() == 10) assertEquals(s.valLoss(), r.valLoss(), "validation loss of step " + s.step());
        }
        assertTrue(Double.isNaN(straightRows.get(4).valLoss()) && !Double.isNaN(resumedRows.get(4).valLoss()));
    }

    @Test
    void resumeRefusesACheckpointWithoutItsStateAndChangesNothingButTheModel() throws IOException {
        Path ckpt = dir.resolve("run.safetensors");
        try (Run a = new Run(ckpt)) {
            a.trainer.fit(2);
        }
        Map<String, String> meta;
        Map<String, Tensor> weights = new LinkedHashMap<>();
        try (var f = SafeTensors.read(ckpt, cpu)) {
            meta = new LinkedHashMap<>(f.metadata());
            for (var e : f.tensors().entrySet()) weights.put(e.getKey(), e.getValue().copy());
        }
        try {
            meta.remove("kiln.extra.steps.schedule_step");
            SafeTensors.write(ckpt, weights, meta);
            try (Run b = new Run(dir.resolve("other.safetensors"))) {
                var e = assertThrows(IOException.class, () -> b.trainer.resume(ckpt));
                assertTrue(e.getMessage().contains("not a StepTrainer checkpoint, or a damaged one: metadata kiln.extra.steps.schedule_step is missing"),
                        e.getMessage());
                assertEquals(0, b.trainer.step());
                assertTrue(b.optimizer.state().tensors().isEmpty(), "optimizer state untouched");
            }
        } finally {
            weights.values().forEach(Tensor::close);
        }
    }

    // ---------------------------------------------------------------- evaluation

    @Test
    void validationLossIsTheTokenMeanOfTheCrossEntropyAndPerplexityItsExponential() {
        Generator g = new Generator(4);
        List<Batch> validation = new ArrayList<>();
        int[] sizes = {2, 3, 1};
        for (int bs : sizes) {
            long[] x = new long[bs * CONTEXT], y = new long[bs * CONTEXT];
            for (int i = 0; i < x.length; i++) {
                x[i] = g.nextInt(VOCAB);
                y[i] = g.nextInt(VOCAB);
            }
            if (bs == 3) for (int i = 0; i < 7; i++) y[i * 5] = -100; // ignored positions do not count
            validation.add(TinyLm.batch(x, y, bs, CONTEXT, cpu));
        }
        try (TinyLm model = new TinyLm(VOCAB, 16, CONTEXT, 0.2f, new Generator(2), cpu); Optimizer sgd = new SGD(model.parameters(), 0.1)) {
            StepTrainer t = StepTrainer.builder(model, sgd, () -> { throw new AssertionError("no training here"); })
                    .evaluateEvery(1, validation).build();
            StepEvaluation e = t.evaluate();
            assertTrue(model.isTraining(), "training mode restored");
            // float64 recomputation from the model's logits (evaluation mode: dropout off)
            double sum = 0;
            long count = 0;
            model.eval();
            try (var _ = Kiln.noGrad(); var _ = Kiln.scope()) {
                for (Batch b : validation) {
                    float[] logits = model.forward(b.get("tokens")).toFloatArray();
                    long[] y = b.target().toLongArray();
                    for (int p = 0; p < y.length; p++) {
                        if (y[p] == -100) continue;
                        double max = Double.NEGATIVE_INFINITY, z = 0;
                        for (int v = 0; v < VOCAB; v++) max = Math.max(max, logits[p * VOCAB + v]);
                        for (int v = 0; v < VOCAB; v++) z += Math.exp(logits[p * VOCAB + v] - max);
                        sum += max + Math.log(z) - logits[p * VOCAB + (int) y[p]];
                        count++;
                    }
                }
            }
            assertEquals(6 * CONTEXT - 7, count);
            assertEquals(count, e.tokens());
            double mean = sum / count;
            assertEquals(mean, e.loss(), 1e-5 * mean);
            assertEquals(Math.exp(mean), e.perplexity(), 1e-5 * Math.exp(mean));
        } finally {
            validation.forEach(Batch::close);
        }
    }

    // ---------------------------------------------------------------- non-finite losses

    @Test
    void aNonFiniteLossStopsBeforeItsStepIsApplied() {
        int[] calls = {0};
        Supplier<Batch> rows = regressionRows(4, calls);
        Supplier<Batch> poisoned = () -> {
            Batch b = rows.get();
            if (calls[0] == 3) return new Batch(Map.of("x", b.get("x"), "y", b.get("y").mul(Float.NaN)), "y");
            return b;
        };
        try (Linear model = new Linear(3, 1, true, new Generator(1), cpu); Optimizer sgd = new SGD(model.parameters(), 0.1)) {
            StepTrainer t = StepTrainer.builder(model, sgd, poisoned).loss(new MSELoss()).build();
            t.fit(2);
            float[] afterTwo = model.weight().toFloatArray();
            var e = assertThrows(NonFiniteLossException.class, () -> t.fit(5));
            assertEquals(3, e.step());
            assertEquals(-1, e.epoch());
            assertTrue(e.getMessage().startsWith("loss is NaN at step 3; training stopped"), e.getMessage());
            assertEquals(2, t.step());
            assertArrayEquals(afterTwo, model.weight().toFloatArray(), "the weights of step 2");
        }
    }

    // ---------------------------------------------------------------- end to end

    @Test
    void aTinyLanguageModelLearnsARepeatingPattern() throws IOException {
        int steps = 40;
        long[] corpus = TinyLm.cycle(VOCAB, 500, 6);
        List<Batch> validation = List.of(TinyLm.batch(java.util.Arrays.copyOfRange(corpus, 3, 3 + 4 * CONTEXT),
                java.util.Arrays.copyOfRange(corpus, 4, 4 + 4 * CONTEXT), 4, CONTEXT, cpu));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        List<Long> evaluatedAt = new ArrayList<>();
        Path ckpt = dir.resolve("lm/run.safetensors");
        try (TinyLm model = new TinyLm(VOCAB, 32, CONTEXT, 0.1f, new Generator(7), cpu);
             Optimizer opt = AdamW.builder(WeightDecayGroups.of(model).paramGroups(0.1)).lr(1e-2).build();
             PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
            StepTrainer t = StepTrainer.builder(model, opt, new TinyLm.Windows(corpus, 8, CONTEXT, new Generator(9), cpu))
                    .schedule(new WarmupCosine(6, steps, 0.1))
                    .clipGradNorm(1.0)
                    .evaluateEvery(20, validation)
                    .checkpointEvery(25, ckpt)
                    .logEvery(10)
                    .listener(new StepProgress(out, Duration.ZERO))
                    .listener(StepListener.atEvaluation((tr, e) -> {
                        assertFalse(tr.model().isTraining(), "hooks see the model in evaluation mode");
                        evaluatedAt.add(e.step());
                    }))
                    .build();
            double initial = t.evaluate().loss();
            List<StepRecord> rows = t.fit(steps);
            StepEvaluation last = t.lastEvaluation();
            assertEquals(List.of(20L, 40L), evaluatedAt);
            assertEquals(List.of(10L, 20L, 30L, 40L), rows.stream().map(StepRecord::step).toList());
            assertTrue(Math.abs(initial - Math.log(VOCAB)) < 1.0, "starts near chance: " + initial);
            assertTrue(last.loss() < 0.25 * Math.log(VOCAB), "validation loss " + last.loss() + " after " + steps + " steps, chance " + Math.log(VOCAB));
            assertEquals(Math.exp(last.loss()), last.perplexity(), 1e-9);
            assertEquals(last.loss(), rows.getLast().valLoss());
            assertTrue(rows.getLast().trainLoss() < rows.getFirst().trainLoss(), rows.toString());
            assertTrue(Files.isRegularFile(ckpt));
            String printed = text.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("step 1/" + steps + " loss "), printed);
            assertTrue(printed.contains("step 40/" + steps + ": val loss "), printed);
        } finally {
            validation.forEach(Batch::close);
        }
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }
}
