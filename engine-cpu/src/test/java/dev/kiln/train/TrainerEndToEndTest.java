package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.data.DataLoader;
import dev.kiln.io.SafeTensorsHeader;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trains a small CNN on a generated four-class task with the Trainer and checks that it learns. */
class TrainerEndToEndTest {
    @TempDir
    Path dir;

    private final Backend cpu = Kiln.backend("cpu");

    @Test
    void accuracyRisesFarAboveChanceAndEveryEpochIsCheckpointed() throws IOException {
        Path ckpt = dir.resolve("patterns.safetensors");
        List<Long> checkpointSteps = new ArrayList<>();
        try (Sequential model = SmallNet.create(new Generator(5), new Generator(6), Patterns.CLASSES, cpu);
             DataLoader train = DataLoader.builder(Patterns.make(640, 1)).batchSize(32).shuffle(true).seed(2).backend(cpu).build();
             DataLoader test = DataLoader.builder(Patterns.make(400, 99)).batchSize(100).backend(cpu).build();
             Adam adam = new Adam(model.parameters(), 1e-2)) {
            Evaluation untrained = Evaluator.evaluate(model, test, new dev.kiln.nn.CrossEntropyLoss());
            Trainer trainer = Trainer.builder(model, adam, train)
                    .evaluateOn("test", test)
                    .checkpointEveryEpoch(ckpt)
                    .listener(new TrainingListener() {
                        @Override
                        public void onEpochEnd(Trainer t, EpochResult r) {
                            try {
                                checkpointSteps.add(Long.parseLong(SafeTensorsHeader.read(ckpt).metadata().get("kiln.step")));
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                    })
                    .build();
            List<EpochResult> epochs = trainer.fit(4);

            assertEquals(4, epochs.size());
            assertTrue(untrained.accuracy() < 0.45, "untrained accuracy " + untrained.accuracy());
            EpochResult last = epochs.getLast();
            assertTrue(last.evalAccuracy() > 0.9, "test accuracy after 4 epochs: " + last.evalAccuracy() + " (chance 0.25)");
            assertTrue(last.trainLoss() < epochs.getFirst().trainLoss(), "train loss fell: " + epochs);
            assertEquals(last.evalAccuracy(), trainer.lastEvaluation().accuracy());
            assertEquals(400, trainer.lastEvaluation().size());
            assertEquals(List.of(20L, 40L, 60L, 80L), checkpointSteps, "a checkpoint after each epoch of 20 steps, written before listeners after it");
            assertTrue(Files.exists(dev.kiln.io.Checkpoint.optimizerFile(ckpt)));
        }
    }
}
