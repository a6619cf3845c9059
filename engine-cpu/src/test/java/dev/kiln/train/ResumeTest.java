package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.data.DataLoader;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Module;
import dev.kiln.optim.AdamW;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.schedule.CosineAnnealingLR;
import dev.kiln.optim.schedule.LinearWarmup;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training N steps straight equals training k steps, saving, loading into a fresh process-like
 * setup (new model with other initial weights, new optimizer, new generators) and training N-k
 * more: bit-identical weights and optimizer state on the CPU backend. The run exercises every
 * piece of state: a mid-epoch stop, seeded shuffling and random shifts, dropout's random stream,
 * a warm-up + cosine schedule, AdamW and gradient clipping.
 */
class ResumeTest {
    private static final int BATCH = 16, SAMPLES = 96, STEPS = 15, SPLIT = 8; // 6 batches per epoch: stop mid-epoch 2

    @TempDir
    Path dir;

    private final Backend cpu = Kiln.backend("cpu");

    /** One training set-up: a model initialised from {@code initSeed}, dropout stream seeded 7. */
    private final class Run implements AutoCloseable {
        final Module model;
        final Optimizer optimizer;
        final DataLoader loader;
        final Trainer trainer;

        Run(long initSeed, long budget) {
            model = SmallNet.create(new Generator(initSeed), dropout(), Patterns.CLASSES, cpu);
            optimizer = new AdamW(model.parameters(), 3e-3);
            loader = DataLoader.builder(Patterns.make(SAMPLES, 3)).batchSize(BATCH).shuffle(true).randomShift(1).seed(11)
                    .backend(cpu).build();
            trainer = Trainer.builder(model, optimizer, loader)
                    .schedule(new LinearWarmup(4, new CosineAnnealingLR(14, 1e-4)))
                    .clipGradNorm(1.0)
                    .randomStream("dropout", lastDropout)
                    .stopAfterSteps(budget)
                    .build();
        }

        private Generator lastDropout;

        private Generator dropout() {
            lastDropout = new Generator(7);
            return lastDropout;
        }

        Map<String, int[]> bits() {
            return StateBits.of(model, optimizer);
        }

        @Override
        public void close() {
            loader.close();
            optimizer.close();
            model.close();
        }
    }

    @Test
    void stepsStraightEqualStepsSaveLoadAndTheRest() throws IOException {
        Map<String, int[]> straight, before, resumed;
        Map<String, Double> straightScalars, resumedScalars;
        List<EpochResult> straightHistory, resumedHistory;
        try (Run a = new Run(1, STEPS)) {
            a.trainer.fit(10);
            assertEquals(STEPS, a.trainer.step());
            assertEquals(2, a.trainer.epoch(), "15 steps of 6 per epoch: 2 complete epochs");
            straight = a.bits();
            straightScalars = a.optimizer.state().scalars();
            straightHistory = a.trainer.history();
        }
        Path ckpt = dir.resolve("run.safetensors");
        try (Run b = new Run(1, SPLIT)) {
            b.trainer.fit(10);
            assertEquals(SPLIT, b.trainer.step());
            b.trainer.save(ckpt);
            before = b.bits();
        }
        try (Run c = new Run(99, STEPS)) {
            assertFalse(equalBits(before, c.bits()), "the fresh model starts from other weights");
            c.trainer.resume(ckpt);
            assertEquals(SPLIT, c.trainer.step());
            assertEquals(1, c.trainer.epoch());
            c.trainer.fit(10);
            assertEquals(STEPS, c.trainer.step());
            resumed = c.bits();
            resumedScalars = c.optimizer.state().scalars();
            resumedHistory = c.trainer.history();
        }
        assertFalse(equalBits(before, straight), "training past the checkpoint changed the weights");
        assertEquals(straight.keySet(), resumed.keySet());
        for (String k : straight.keySet()) assertArrayEquals(straight.get(k), resumed.get(k), k + " differs after resuming");
        assertEquals(straightScalars, resumedScalars);
        assertEquals(straightHistory.size(), resumedHistory.size());
        for (int i = 0; i < straightHistory.size(); i++) {
            EpochResult s = straightHistory.get(i), r = resumedHistory.get(i);
            assertEquals(s.trainLoss(), r.trainLoss(), "epoch " + i + " train loss, partly trained before the checkpoint");
            assertEquals(s.trainAccuracy(), r.trainAccuracy());
            assertEquals(s.step(), r.step());
            assertEquals(s.lr(), r.lr());
        }
    }

    private static boolean equalBits(Map<String, int[]> a, Map<String, int[]> b) {
        for (String k : a.keySet()) {
            if (k.startsWith("model.") && !java.util.Arrays.equals(a.get(k), b.get(k))) return false;
        }
        return true;
    }

    @Test
    void resumeRefusesWeightsWithoutOptimizerStateAndAStreamAheadOfTheCheckpoint() throws IOException {
        Path weights = dir.resolve("weights.safetensors"), ckpt = dir.resolve("ckpt.safetensors");
        try (Run a = new Run(1, 2)) {
            a.trainer.fit(1);
            SafeTensors.write(weights, a.model.stateDict(), Map.of());
            a.trainer.save(ckpt);
        }
        try (Run b = new Run(1, 2)) {
            var e = assertThrows(IOException.class, () -> b.trainer.resume(weights));
            assertTrue(e.getMessage().contains("no optimizer state"), e.getMessage());
        }
        try (Run c = new Run(1, 2)) {
            c.lastDropout.advance(1 << 20);
            var e = assertThrows(IOException.class, () -> c.trainer.resume(ckpt));
            assertTrue(e.getMessage().contains("random stream 'dropout'"), e.getMessage());
        }
    }

    @Test
    void resumeRangeChecksThePositionBeforeRestoringAnything() throws IOException {
        Path ckpt = dir.resolve("ckpt.safetensors");
        try (Run a = new Run(1, 3)) {
            a.trainer.fit(1); // stops mid-epoch after 3 of 6 batches
            a.trainer.save(ckpt);
        }
        Map<String, String> good;
        Map<String, Tensor> weights;
        try (var f = SafeTensors.read(ckpt, cpu)) {
            good = f.metadata();
            weights = new LinkedHashMap<>();
            for (var e : f.tensors().entrySet()) weights.put(e.getKey(), e.getValue().copy());
        }
        String[][] cases = {
                {"kiln.extra.trainer.batch", "7", "metadata kiln.extra.trainer.batch = 7 is out of range (0 to 6)"},
                {"kiln.extra.trainer.batch", "-1", "metadata kiln.extra.trainer.batch = -1 is out of range"},
                {"kiln.extra.trainer.schedule_step", "4", "metadata kiln.extra.trainer.schedule_step = 4 is out of range (0 to 3)"},
                {"kiln.extra.trainer.epoch_correct", "1000", "metadata kiln.extra.trainer.epoch_correct = 1000 is out of range (0 to 48)"},
        };
        try {
            for (String[] c : cases) {
                Map<String, String> meta = new LinkedHashMap<>(good);
                meta.put(c[0], c[1]);
                SafeTensors.write(ckpt, weights, meta);
                try (Run b = new Run(2, 3)) {
                    double lr = b.optimizer.paramGroups().getFirst().lr();
                    var e = assertThrows(IOException.class, () -> b.trainer.resume(ckpt));
                    assertTrue(e.getMessage().contains("not a Trainer checkpoint, or a damaged one: " + c[2]), e.getMessage());
                    assertEquals(lr, b.optimizer.paramGroups().getFirst().lr(), "nothing restored");
                    assertTrue(b.optimizer.state().tensors().isEmpty(), "nothing restored");
                }
            }
        } finally {
            weights.values().forEach(Tensor::close);
        }
    }
}
