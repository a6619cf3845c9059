package dev.kiln.samples;

import dev.kiln.data.DataLoader;
import dev.kiln.data.ImageDataset;
import dev.kiln.data.Split;
import dev.kiln.optim.Adam;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.train.EpochResult;
import dev.kiln.train.Evaluation;
import dev.kiln.train.NonFiniteLossException;
import dev.kiln.train.Progress;
import dev.kiln.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code ./kiln mnist}: trains the seed CNN ({@link SeedCnn}) on MNIST with Adam (lr 1e-3,
 * batch 64, inputs scaled to [0, 1]) and, by default, a cosine decay of the learning rate to 0
 * over the run, stepped every batch. Evaluates on the 10,000 test images after every epoch,
 * checkpoints every epoch, and optionally writes metrics JSON and a PNG report.
 */
public final class MnistCommand {
    /** The most epochs one run may ask for: far beyond any real run, refusing typos that would never finish. */
    static final int MAX_EPOCHS = 100_000;
    static final String[] DIGITS = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

    private MnistCommand() {}

    static Args options() {
        return new Args("mnist", "Train the seed CNN (Conv32-Pool-Conv64-Pool-Conv64-Dense64-Dense10) on MNIST.")
                .option("epochs", "5", "epochs to train (in all, counting those of a resumed checkpoint)")
                .option("batch-size", "64", "training batch size")
                .option("lr", "0.001", "Adam learning rate (the peak of the schedule)")
                .option("schedule", "cosine", "learning-rate schedule per step: cosine (decay to 0 over the run) or constant")
                .option("shift", "0", "random translation of training images by up to this many pixels")
                .backendOption()
                .option("data", "data/mnist", "folder with the MNIST IDX files (./kiln fetch-data)")
                .option("seed", "42", "seed of the initial weights and the data order")
                .option("checkpoint", "out/mnist.safetensors", "checkpoint written after every epoch (plus its .optim.<id>.safetensors)")
                .option("resume", null, "resume training from this checkpoint")
                .option("metrics-out", null, "write metrics JSON to this file")
                .option("report", null, "write curves.png, confusion.png and misclassified.png into this folder")
                .flag("allow-nonfinite-loss", "train on when a batch's loss is NaN or infinite (default: stop, keeping the last checkpoint)");
    }

    /** Runs the command; {@code --help} lists the options. */
    public static void main(String[] argv) throws Exception {
        Setup.main(argv, options(), MnistCommand::run);
    }

    static void run(Args a) throws Exception {
        int epochs = a.integer("epochs", 1, MAX_EPOCHS), batch = a.integer("batch-size", 1), shift = a.integer("shift", 0);
        double lr = a.positive("lr");
        String schedule = a.choice("schedule", "cosine", "constant");
        long seed = a.longValue("seed");
        // Every output is checked before anything else happens, so a bad path fails now, not after the first epoch.
        OutputPaths.checkFile(a, "checkpoint");
        OutputPaths.checkFile(a, "metrics-out");
        OutputPaths.checkFolder(a, "report", Report.FILES);
        Backend backend = Setup.backend(a);
        Path data = a.path("data");
        ImageDataset train = Setup.load(data, Split.TRAIN, "./kiln fetch-data"), test = Setup.load(data, Split.TEST, "./kiln fetch-data");
        System.out.printf("data: %d training and %d test images from %s%n", train.size(), test.size(), data);
        int side = Math.min(train.sampleShape()[1], train.sampleShape()[2]);
        if (shift >= side) throw a.usage("--shift must be less than the image side " + side + ", got " + shift);
        if (batch > train.size() && train.size() > 0) {
            System.out.printf("note: --batch-size %d is larger than the %d training images; using %d (one batch per epoch)%n", batch,
                    train.size(), train.size());
            batch = train.size();
        }

        try (SeedCnn model = new SeedCnn(10, new Generator(seed), backend);
             DataLoader trainLoader = DataLoader.builder(train).batchSize(batch).shuffle(true).seed(seed).randomShift(shift).backend(backend).build();
             DataLoader testLoader = Setup.evalLoader(test, backend);
             Adam adam = new Adam(model.parameters(), lr)) {
            System.out.print(model.summary(1, 1, 28, 28));
            LossTrace trace = new LossTrace();
            Trainer.Builder tb = Trainer.builder(model, adam, trainLoader).evaluateOn("test", testLoader)
                    .listener(Progress.forConsole()).listener(trace).checkpointEveryEpoch(a.path("checkpoint"))
                    .allowNonfiniteLoss(a.has("allow-nonfinite-loss"));
            if (schedule.equals("cosine")) tb.schedule(Setup.cosineOverRun(epochs, trainLoader));
            Trainer trainer = tb.build();
            if (a.has("resume")) {
                trainer.resume(a.path("resume"));
                System.out.printf("resumed from %s at epoch %d, step %d%n", a.path("resume"), trainer.epoch(), trainer.step());
            }
            System.out.printf("training %d epochs of %d batches of %d, Adam lr %s, %s schedule%s%n", epochs, trainLoader.batchesPerEpoch(), batch,
                    a.string("lr"), schedule, shift > 0 ? ", random shifts up to " + shift + " px" : "");
            int before = trainer.epoch();
            List<EpochResult> trained = fit(trainer, epochs, a.path("checkpoint"), before);
            Evaluation eval = trainer.lastEvaluation() != null ? trainer.lastEvaluation() : trainer.evaluate();
            System.out.printf("test accuracy: %s (%d of %d right)%n", Report.percent(eval.accuracy()), Math.round(eval.accuracy() * eval.size()), eval.size());
            if (!trained.isEmpty()) System.out.println("checkpoint: " + a.path("checkpoint"));
            else System.out.printf("checkpoint: not written (the resumed checkpoint already has %d epochs, --epochs is %d)%n", before, epochs);

            if (a.has("metrics-out")) Setup.writeJson(a.path("metrics-out"), metrics(a, backend, model, trainer, eval, schedule));
            if (a.has("report")) {
                for (Path p : Report.write(a.path("report"), "MNIST", trainer.history(), trace, eval, test, DIGITS)) System.out.println("report: " + p);
            }
        }
    }

    /** {@link Trainer#fit}, with what a user needs to know when a non-finite loss stops it. */
    static List<EpochResult> fit(Trainer trainer, int epochs, Path checkpoint, int before) {
        try {
            return trainer.fit(epochs);
        } catch (NonFiniteLossException e) {
            String saved = trainer.epoch() > before ? checkpoint + " holds epoch " + trainer.epoch() + ", the last complete one"
                    : "no checkpoint was written";
            throw new IllegalStateException(e.getMessage() + "; " + saved + " (lower --lr, or pass --allow-nonfinite-loss to train on)", e);
        }
    }

    private static Map<String, Object> metrics(Args a, Backend backend, SeedCnn model, Trainer trainer, Evaluation eval, String schedule)
            throws Args.UsageException {
        Map<String, Object> config = Json.obj("epochs", a.integer("epochs", 1, MAX_EPOCHS), "batch_size", trainer.trainLoader().batchSize(),
                "optimizer", "adam", "lr", a.positive("lr"), "schedule", schedule, "random_shift", a.integer("shift", 0),
                "seed", a.longValue("seed"), "resumed_from", a.string("resume"));
        return Setup.runMetrics(Json.obj("command", "mnist"), backend, model.parameters(), config, trainer, eval);
    }
}
