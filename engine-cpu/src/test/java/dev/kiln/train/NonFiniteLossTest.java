package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.data.DataLoader;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Loss;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.SGD;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NaN or infinite loss stops training at once, names where, keeps the previous step's weights
 * and the last epoch's checkpoint; {@code allowNonfiniteLoss} trains on with a warning.
 */
class NonFiniteLossTest {
    private static final int BATCHES = 10; // 80 samples in batches of 8

    @TempDir
    Path dir;

    private final Backend cpu = Kiln.backend("cpu");

    /** Cross-entropy, multiplied by {@code factor} on call {@code at} (from 1), so that one batch's loss is not finite. */
    private static Loss poisonedAt(int at, float factor) {
        Loss ce = new CrossEntropyLoss();
        AtomicInteger calls = new AtomicInteger();
        return (in, y) -> calls.incrementAndGet() == at ? ce.apply(in, y).mul(factor) : ce.apply(in, y);
    }

    private static Sequential model(Backend cpu) {
        return SmallNet.create(new Generator(1), new Generator(2), Patterns.CLASSES, cpu);
    }

    private DataLoader loader() {
        return DataLoader.builder(Patterns.make(8 * BATCHES, 1)).batchSize(8).shuffle(true).seed(3).backend(cpu).build();
    }

    private static Map<String, float[]> weights(Sequential model) {
        Map<String, float[]> out = new TreeMap<>();
        model.stateDict().forEach((k, t) -> out.put(k, t.toFloatArray()));
        return out;
    }

    @Test
    void aNanLossStopsBeforeItsStepAndKeepsTheLastCheckpoint() throws IOException {
        Path ckpt = dir.resolve("run.safetensors");
        Map<String, float[]> expected;
        try (Sequential model = model(cpu); DataLoader train = loader(); SGD sgd = new SGD(model.parameters(), 0.05)) {
            Trainer.builder(model, sgd, train).stopAfterSteps(14).build().fit(3); // the same run, cut after step 14
            expected = weights(model);
        }
        try (Sequential model = model(cpu); DataLoader train = loader(); SGD sgd = new SGD(model.parameters(), 0.05)) {
            List<Long> stepsSeen = new java.util.ArrayList<>();
            Trainer trainer = Trainer.builder(model, sgd, train).loss(poisonedAt(15, Float.NaN)).checkpointEveryEpoch(ckpt)
                    .listener(new TrainingListener() {
                        @Override
                        public void onStep(Trainer t, StepResult s) {
                            stepsSeen.add(s.step());
                        }
                    }).build();
            byte[][] afterEpoch1 = new byte[1][];
            var e = assertThrows(NonFiniteLossException.class, () -> {
                try {
                    trainer.fit(3);
                } finally {
                    afterEpoch1[0] = Files.readAllBytes(ckpt);
                }
            });
            assertEquals("loss is NaN at epoch 2, batch 5 of 10 (step 15); training stopped before that step was applied", e.getMessage());
            assertEquals(1, e.epoch());
            assertEquals(4, e.batch());
            assertEquals(15, e.step());
            assertTrue(Double.isNaN(e.loss()));
            assertEquals(14, trainer.step());
            assertEquals(14, stepsSeen.size(), "listeners never saw the poisoned step");
            assertEquals(1, trainer.history().size());
            Map<String, float[]> actual = weights(model);
            assertEquals(expected.keySet(), actual.keySet());
            for (String k : expected.keySet()) assertArrayEquals(expected.get(k), actual.get(k), k + " is as after step 14");
            assertEquals("10", dev.kiln.io.SafeTensorsHeader.read(ckpt).metadata().get("kiln.step"), "the checkpoint is epoch 1's");
            assertArrayEquals(afterEpoch1[0], Files.readAllBytes(ckpt));
        }
    }

    @Test
    void anInfiniteLossIsNamedToo() {
        try (Sequential model = model(cpu); DataLoader train = loader(); SGD sgd = new SGD(model.parameters(), 0.05)) {
            Trainer trainer = Trainer.builder(model, sgd, train).loss(poisonedAt(3, Float.POSITIVE_INFINITY)).build();
            var e = assertThrows(NonFiniteLossException.class, () -> trainer.fit(1));
            assertEquals("loss is +infinity at epoch 1, batch 3 of 10 (step 3); training stopped before that step was applied", e.getMessage());
            assertEquals(Double.POSITIVE_INFINITY, e.loss());
        }
    }

    @Test
    void allowedNonFiniteLossTrainsOnWithOneWarningButAStrictTrainerWillNotSaveTheResult() throws IOException {
        Path good = dir.resolve("good.safetensors");
        try (Sequential model = model(cpu); DataLoader train = loader(); SGD sgd = new SGD(model.parameters(), 0.05);
             LogCapture log = new LogCapture(Trainer.class.getName())) {
            Trainer strict = Trainer.builder(model, sgd, train).build();
            strict.save(good);
            byte[] before = Files.readAllBytes(good);

            Trainer lax = Trainer.builder(model, sgd, train).loss(poisonedAt(3, Float.NaN)).allowNonfiniteLoss(true).build();
            List<EpochResult> r = lax.fit(1);
            assertEquals(1, r.size());
            assertEquals(BATCHES, lax.step());
            assertTrue(Double.isNaN(r.getFirst().trainLoss()), "the epoch's mean includes the NaN");
            assertEquals(List.of("loss is NaN at epoch 1, batch 3 of 10 (step 3); training on as allowNonfiniteLoss(true) asks "
                    + "(further ones in this fit are not logged)"), log.messages(Level.WARNING));
            assertEquals(1, log.messages(Level.FINE).size(), "one DEBUG summary line per epoch");
            assertTrue(log.messages(Level.FINE).getFirst().startsWith("epoch 1/1: train loss NaN"), log.messages(Level.FINE).toString());

            // the NaN gradients reached the weights: a trainer without the option refuses to save them over a good file
            var e = assertThrows(IllegalStateException.class, () -> strict.save(good));
            assertTrue(e.getMessage().matches("Trainer: \\S+ holds NaN or infinite values after step 0; not saving .*good\\.safetensors "
                    + "\\(the previous checkpoint stays; allowNonfiniteLoss\\(true\\) saves anyway\\)"), e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(good));
            lax.save(dir.resolve("nan.safetensors")); // allowed
        }
    }
}
