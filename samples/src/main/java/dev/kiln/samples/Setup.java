package dev.kiln.samples;

import dev.kiln.Kiln;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.data.ImageDataset;
import dev.kiln.data.Mnist;
import dev.kiln.data.Split;
import dev.kiln.io.AtomicFile;
import dev.kiln.optim.schedule.CosineAnnealingLR;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import dev.kiln.train.EpochResult;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
     * The {@code main} of a sample command: runs it as {@link #execute} does and exits with its
     * status when that is not 0.
     */
    static void main(String[] argv, Args a, Command command) {
        int status = execute(argv, a, command, System.err);
        if (status != 0) System.exit(status);
    }

    /**
     * Parses {@code argv} into {@code a}, prints the usage for {@code --help}, else runs
     * {@code command}. A bad command line (an {@link Args.UsageException} from parsing or from
     * {@code command}) prints why on {@code err} and gives status 2; any other error prints one
     * line, {@code kiln <command>: <what went wrong>} (see {@link Failures#describe}), plus the
     * stack trace with {@code --verbose}, and gives status 1.
     *
     * @return the exit status: 0, 1 or 2
     */
    static int execute(String[] argv, Args a, Command command, PrintStream err) {
        try {
            a.parse(argv);
            if (a.help()) {
                System.out.print(a.usage());
                return 0;
            }
            command.run(a);
            return 0;
        } catch (Args.UsageException e) {
            err.println(e.getMessage());
            return 2;
        } catch (Exception | Error e) { // a command-line program's last word: errors too (e.g. out of memory) get one line
            System.out.flush(); // a progress bar's line may be open: end it before the message
            err.println("kiln " + a.command() + ": " + Failures.describe(e));
            if (a.has("verbose")) e.printStackTrace(err);
            err.flush();
            return 1;
        }
    }

    /**
     * {@code --backend auto|cpu|cuda}: an explicit name is a hard request (fails with the reason); auto picks the best.
     *
     * @throws Args.UsageException if the value is none of the three
     * @throws IllegalStateException if the backend asked for, or every backend, is unavailable (the message says why)
     */
    static Backend backend(Args a) throws Args.UsageException {
        String name = a.choice("backend", "auto", "cpu", "cuda");
        Backend b = "auto".equals(name) ? Kiln.backend() : Kiln.useBackend(name);
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

    /**
     * The metrics JSON of a training command: {@code head} (command, model, ...) first, then the
     * backend, parameter count, {@code config}, per-epoch results, training time and throughput, the
     * final test metrics and the JVM.
     */
    static Map<String, Object> runMetrics(Map<String, Object> head, Backend backend, List<Tensor> parameters, Map<String, Object> config,
                                          Trainer trainer, Evaluation eval) {
        List<EpochResult> h = trainer.history();
        double seconds = h.stream().mapToDouble(EpochResult::seconds).sum();
        double images = h.stream().mapToDouble(r -> r.seconds() * r.imagesPerSecond()).sum();
        Map<String, Object> m = new java.util.LinkedHashMap<>(head);
        m.putAll(Json.obj(
                "backend", backend.name(),
                "device", backend.description(),
                "parameters", parameters.stream().mapToLong(Tensor::numel).sum(),
                "config", config,
                "epochs", epochs(h, "test"),
                "train_seconds", seconds,
                "images_per_s", seconds > 0 ? images / seconds : 0.0,
                "final_test_accuracy", eval.accuracy(),
                "final_test_loss", eval.loss(),
                "java", Runtime.version().toString(),
                "cpu_threads", Runtime.getRuntime().availableProcessors()));
        return m;
    }

    /** Per-epoch metrics as JSON-ready maps; metrics other than accuracy follow under {@code train_<name>} and {@code <eval>_<name>}. */
    static List<Object> epochs(List<EpochResult> history, String evalName) {
        List<Object> out = new ArrayList<>();
        for (EpochResult r : history) {
            Map<String, Object> m = new java.util.LinkedHashMap<>(Json.obj("epoch", r.epoch() + 1, "train_loss", r.trainLoss(),
                    "train_accuracy", r.trainAccuracy(), evalName + "_loss", r.evalLoss(), evalName + "_accuracy", r.evalAccuracy(),
                    "seconds", r.seconds(), "images_per_s", r.imagesPerSecond(), "lr_at_end", r.lr()));
            r.trainMetrics().forEach((name, v) -> m.putIfAbsent("train_" + name, v));
            r.evalMetrics().forEach((name, v) -> m.putIfAbsent(evalName + "_" + name, v));
            out.add(m);
        }
        return out;
    }

    /** Writes {@code metrics} as JSON to {@code file} (atomically, creating parent folders) and says so. */
    static void writeJson(Path file, Map<String, Object> metrics) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFile.write(file, Json.write(metrics).getBytes(StandardCharsets.UTF_8));
        System.out.println("metrics: " + file);
    }
}
