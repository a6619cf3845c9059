package dev.kiln.samples;

import dev.kiln.Kiln;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.data.ImageDataset;
import dev.kiln.data.Mnist;
import dev.kiln.data.Split;
import dev.kiln.optim.schedule.CosineAnnealingLR;
import dev.kiln.spi.Backend;
import dev.kiln.train.EpochResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the sample commands share: the command-line entry, backend choice, data loading, metrics files. */
final class Setup {
    private Setup() {}

    /** The work of a sample command once its options are parsed. */
    interface Command {
        void run(Args a) throws Exception;
    }

    /**
     * The {@code main} of a sample command: parses {@code argv} into {@code a}, prints the usage
     * for {@code --help}, else runs {@code command}; a bad command line (a {@link Args.UsageException}
     * from parsing or from {@code command}) prints why and exits with status 2.
     */
    static void main(String[] argv, Args a, Command command) throws Exception {
        try {
            a.parse(argv);
            if (a.help()) {
                System.out.print(a.usage());
                return;
            }
            command.run(a);
        } catch (Args.UsageException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    /**
     * {@code --backend auto|cpu|cuda}: an explicit name is a hard request (fails with the reason); auto picks the best.
     *
     * @throws Args.UsageException if the value is none of the three
     */
    static Backend backend(Args a) throws Args.UsageException {
        String name = a.choice("backend", "auto", "cpu", "cuda");
        Backend b;
        try {
            b = "auto".equals(name) ? Kiln.backend() : Kiln.useBackend(name);
        } catch (IllegalStateException e) { // the requested backend is unavailable: its reason is the whole message
            System.err.println(e.getMessage());
            System.exit(1);
            throw e;
        }
        System.out.println("backend: " + b.description());
        return b;
    }

    /** The loader for evaluation: batches of 500 in order. */
    static DataLoader evalLoader(Dataset data, Backend backend) {
        return DataLoader.builder(data).batchSize(500).backend(backend).build();
    }

    /** A cosine decay of the learning rate to 0 over {@code epochs} epochs of {@code loader}, stepped every batch. */
    static CosineAnnealingLR cosineOverRun(int epochs, DataLoader loader) {
        return new CosineAnnealingLR(Math.max(1L, (long) epochs * loader.batchesPerEpoch()), 0);
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
