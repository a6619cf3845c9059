package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.data.Collate;
import dev.kiln.data.DataLoader;
import dev.kiln.data.HostTensor;
import dev.kiln.data.TensorDataset;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.optim.Adam;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Trainer on a sequence task instead of images: variable-length sequences of one-hot tokens,
 * padded per batch, with a per-position target {@code (3 x + 1) mod V} padded by -100. The model
 * (a per-position MLP) is called through a forward hook picking one of the batch's four inputs,
 * the loss is a lambda (per-position cross-entropy ignoring -100), and the metrics are the
 * per-token accuracy and a custom whole-sequence accuracy.
 */
class SequenceTrainingTest {
    private static final int V = 8, HIDDEN = 32;

    @TempDir
    Path dir;

    private final Backend cpu = Kiln.backend("cpu");

    /** {@code n} sequences of lengths 2 to 6, features one-hot [T, V], targets INT64 [T]. */
    static TensorDataset tokens(int n, long seed) {
        Generator g = new Generator(seed);
        List<HostTensor> x = new ArrayList<>(), y = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int t = 2 + g.nextInt(5);
            float[] onehot = new float[t * V];
            long[] target = new long[t];
            for (int s = 0; s < t; s++) {
                int token = g.nextInt(V);
                onehot[s * V + token] = 1f;
                target[s] = (3L * token + 1) % V;
            }
            x.add(HostTensor.floats(onehot, t, V));
            y.add(HostTensor.longs(target, t));
        }
        return TensorDataset.builder().input("x", x).target("y", y).build();
    }

    static DataLoader loader(TensorDataset d, boolean shuffle, Backend backend) {
        return DataLoader.builder(d).batchSize(32).shuffle(shuffle).seed(5).backend(backend)
                .collate(Collate.padSequences().pad("x", 0).pad("y", -100).build()).build();
    }

    /** Sequences whose every counted position is predicted right: a metric written by a user. */
    static final Metric SEQUENCE_ACCURACY = Metric.of("sequence_accuracy", (out, y) -> {
        int b = out.size(0), c = out.size(1), t = out.size(2);
        int[] p = out.permute(0, 2, 1).reshape(-1, c).argmax().toIntArray();
        long[] target = y.toLongArray();
        int right = 0;
        for (int i = 0; i < b; i++) {
            boolean all = true;
            for (int s = 0; s < t; s++) if (target[i * t + s] != -100 && target[i * t + s] != p[i * t + s]) all = false;
            if (all) right++;
        }
        return new Metric.Score(right, b);
    });

    private final class Run implements AutoCloseable {
        final Module model = new Sequential(new Linear(V, HIDDEN, true, new Generator(21), cpu), new ReLU(),
                new Linear(HIDDEN, V, true, new Generator(22), cpu));
        final DataLoader train = loader(tokens(256, 1), true, cpu), test = loader(tokens(128, 2), false, cpu);
        final Adam adam = new Adam(model.parameters(), 2e-2);
        final Trainer trainer;

        Run(long budget) {
            trainer = Trainer.builder(model, adam, train)
                    .forward((m, b) -> m.forward(b.get("x")).permute(0, 2, 1)) // [B, T, V] -> logits [B, V, T]
                    .loss((logits, y) -> Functional.crossEntropy(logits, y, Reduction.MEAN, 0f, -100))
                    .metrics(Metric.tokenAccuracy(-100), SEQUENCE_ACCURACY)
                    .evaluateOn("test", test)
                    .stopAfterSteps(budget)
                    .build();
        }

        @Override
        public void close() {
            adam.close();
            train.close();
            test.close();
            model.close();
        }
    }

    @Test
    void learnsAPerTokenMapFarBelowChanceDeterministically() {
        double chance = Math.log(V);
        List<EpochResult> first, second;
        try (Run r = new Run(Long.MAX_VALUE)) {
            Evaluation untrained = r.trainer.evaluate();
            assertTrue(Math.abs(untrained.loss() - chance) < 0.5, "untrained loss " + untrained.loss() + " near ln 8 = " + chance);
            first = r.trainer.fit(6);
            EpochResult last = first.getLast();
            assertTrue(last.trainLoss() < 0.1 * chance, "train loss " + last.trainLoss() + " vs chance " + chance);
            assertTrue(last.evalLoss() < 0.1 * chance, "test loss " + last.evalLoss());
            assertTrue(last.evalMetrics().get("token_accuracy") > 0.98, last.toString());
            assertTrue(last.evalMetrics().get("sequence_accuracy") > 0.9, last.toString());
            assertEquals(List.of("token_accuracy", "sequence_accuracy"), List.copyOf(last.trainMetrics().keySet()));
            assertTrue(Double.isNaN(last.trainAccuracy()), "no metric is named accuracy");
            assertTrue(last.describe("test").contains("test loss") && last.describe("test").contains("token_accuracy"), last.describe("test"));
            assertEquals(0, r.trainer.lastEvaluation().labels().length, "no per-sample labels for a sequence model");
        }
        try (Run r = new Run(Long.MAX_VALUE)) {
            second = r.trainer.fit(6);
        }
        for (int e = 0; e < first.size(); e++) {
            assertEquals(first.get(e).trainLoss(), second.get(e).trainLoss(), "epoch " + e + " repeats bit for bit");
            assertEquals(first.get(e).evalMetrics(), second.get(e).evalMetrics());
        }
    }

    /** Stopping mid-epoch, saving and resuming in a fresh set-up restores the running metric sums exactly. */
    @Test
    void resumingMidEpochRestoresTheRunningMetrics() throws IOException {
        Path ckpt = dir.resolve("seq.safetensors");
        List<EpochResult> straight;
        try (Run r = new Run(Long.MAX_VALUE)) {
            straight = r.trainer.fit(2);
        }
        try (Run r = new Run(11)) { // 8 batches per epoch: stops in the middle of epoch 2
            r.trainer.fit(2);
            r.trainer.save(ckpt);
        }
        try (Run r = new Run(Long.MAX_VALUE)) {
            r.trainer.resume(ckpt);
            r.trainer.fit(2);
            List<EpochResult> resumed = r.trainer.history();
            assertEquals(straight.size(), resumed.size());
            for (int e = 0; e < straight.size(); e++) {
                assertEquals(straight.get(e).trainLoss(), resumed.get(e).trainLoss());
                assertEquals(straight.get(e).trainMetrics(), resumed.get(e).trainMetrics(), "epoch " + e);
                assertEquals(straight.get(e).evalMetrics(), resumed.get(e).evalMetrics(), "epoch " + e);
            }
        }
    }

    /** The default cross-entropy takes the padded INT64 per-position targets as they are (ignore index -100). */
    @Test
    void defaultLossAndAccuracyWorkOnPerPositionTargets() {
        try (Run r = new Run(Long.MAX_VALUE)) {
            Trainer t = Trainer.builder(r.model, r.adam, r.train).forward((m, b) -> m.forward(b.get("x")).permute(0, 2, 1)).build();
            List<EpochResult> h = t.fit(3);
            assertTrue(h.getLast().trainLoss() < h.getFirst().trainLoss(), h.toString());
            assertTrue(h.getLast().trainMetrics().containsKey("accuracy"));
        }
    }
}
