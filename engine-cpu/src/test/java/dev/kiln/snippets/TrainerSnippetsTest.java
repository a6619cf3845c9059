package dev.kiln.snippets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.data.DataLoader;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.schedule.CosineAnnealingLR;
import dev.kiln.train.EpochResult;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples of {@link Trainer}'s javadoc, run as tests: training lowers the loss and reaches
 * high accuracy on held-out data, and a resumed trainer carries on where the saved one stopped.
 */
class TrainerSnippetsTest {
    @TempDir
    Path dir;

    private static Module newModel() {
        return new Sequential(new Flatten(), new Linear(16, 2));
    }

    @Test
    void fitTrainsAndCheckpoints() throws IOException {
        Kiln.manualSeed(5);
        int epochs = 4;
        Path checkpoint = dir.resolve("run.safetensors");
        try (Module model = newModel();
             DataLoader trainLoader = DataLoader.builder(Toy.images(256, 1)).batchSize(32).shuffle(true).normalize(0.5f, 0.25f).build();
             DataLoader testLoader = DataLoader.builder(Toy.images(64, 2)).batchSize(64).normalize(0.5f, 0.25f).build()) {
            // @start region="fit"
            Trainer trainer = Trainer.builder(model, new Adam(model.parameters(), 1e-2), trainLoader)
                    .evaluateOn("test", testLoader)        // evaluated after every epoch
                    .schedule(new CosineAnnealingLR(epochs * trainLoader.batchesPerEpoch(), 0))
                    .checkpointEveryEpoch(checkpoint)      // model, optimizer and position
                    .build();
            List<EpochResult> history = trainer.fit(epochs);
            // @end
            assertEquals(epochs, history.size());
            assertTrue(history.getLast().trainLoss() < 0.5 * history.getFirst().trainLoss(), history.toString());
            assertTrue(history.getLast().evalAccuracy() > 0.95, history.toString());
            assertTrue(Files.isRegularFile(checkpoint));
            trainer.optimizer().close();
        }
    }

    @Test
    void resumeCarriesOn() throws IOException {
        Path checkpoint = dir.resolve("run.safetensors");
        try (DataLoader loader = DataLoader.builder(Toy.images(128, 3)).batchSize(32).shuffle(true).build()) {
            Kiln.manualSeed(9);
            try (Module model = newModel()) {
                Trainer first = Trainer.builder(model, new Adam(model.parameters(), 1e-2), loader).build();
                first.fit(2);
                first.save(checkpoint);
                first.optimizer().close();
            }
            Kiln.manualSeed(10); // a different initialisation: resume must overwrite it
            try (Module model = newModel()) {
                // @start region="resume"
                Trainer trainer = Trainer.builder(model, new Adam(model.parameters(), 1e-2), loader).build();
                trainer.resume(checkpoint);   // weights, optimizer state, epoch, step, history
                trainer.fit(3);               // trains epoch 2 only: 3 epochs in all
                // @end
                assertEquals(3, trainer.epoch());
                assertEquals(3, trainer.history().size());
                assertEquals(3L * loader.batchesPerEpoch(), trainer.step());
                trainer.optimizer().close();
            }
        }
    }
}
