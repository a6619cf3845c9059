package dev.kiln.samples;

import dev.kiln.Kiln;
import dev.kiln.data.ImageDataset;
import dev.kiln.data.Mnist;
import dev.kiln.data.Split;
import dev.kiln.spi.Backend;
import dev.kiln.train.EpochResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the sample commands share: backend choice, data loading, metrics files. */
final class Setup {
    private Setup() {}

    /** {@code --backend auto|cpu|cuda}: an explicit name is a hard request (fails with the reason); auto picks the best. */
    static Backend backend(String name) {
        Backend b = "auto".equals(name) ? Kiln.backend() : Kiln.useBackend(name);
        System.out.println("backend: " + b.description());
        return b;
    }

    /** One split of an MNIST-format data set, with a hint naming the fetch command when files are missing. */
    static ImageDataset load(Path dir, Split split, String fetchHint) throws IOException {
        try {
            return Mnist.load(dir, split);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("data not found in " + dir + ": " + e.getReason() + ". Fetch it with '" + fetchHint + "'", e);
        }
    }

    /** Per-epoch metrics as JSON-ready maps. */
    static List<Object> epochs(List<EpochResult> history, String evalName) {
        List<Object> out = new ArrayList<>();
        for (EpochResult r : history) {
            out.add(Json.obj("epoch", r.epoch() + 1, "train_loss", r.trainLoss(), "train_accuracy", r.trainAccuracy(),
                    evalName + "_loss", r.evalLoss(), evalName + "_accuracy", r.evalAccuracy(), "seconds", r.seconds(),
                    "images_per_s", r.imagesPerSecond(), "lr_at_end", r.lr()));
        }
        return out;
    }

    /** Writes {@code metrics} as JSON to {@code file}, creating parent folders. */
    static void writeJson(Path file, Map<String, Object> metrics) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(file, Json.write(metrics));
        System.out.println("metrics: " + file);
    }
}
