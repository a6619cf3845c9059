package dev.kiln.samples;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.data.ImageDataset;
import dev.kiln.data.Split;
import dev.kiln.io.LoadResult;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.optim.Adam;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import dev.kiln.train.EpochResult;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Evaluator;
import dev.kiln.train.Progress;
import dev.kiln.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./kiln finetune}: the transfer experiment. Pre-trains the seed CNN on the digits 0-4
 * (or loads a saved {@code ./kiln mnist} checkpoint with {@code --from}), replaces its head
 * ({@code classifier.3}) by a fresh layer for the target classes, freezes the convolutional
 * layers and fine-tunes on a small labelled budget of the target task (digits 5-9, or
 * Fashion-MNIST). The same network trained from scratch on the same budget, with the same
 * optimizer and number of steps, is the baseline. A single small budget is a noisy sample, so
 * the comparison is repeated on {@code --repeats} budgets drawn with different seeds and the
 * mean test accuracies are compared; all of them go to the metrics JSON.
 */
public final class FinetuneCommand {
    static final String[] FASHION = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

    /** Budgets and repeats beyond these are typos: a class of MNIST has about 7,000 images; each repeat trains twice. */
    private static final int MAX_PER_CLASS = 10_000, MAX_REPEATS = 1_000;

    private FinetuneCommand() {}

    /** A target task: the pool its small budget is drawn from, its test set and class names. */
    private record Task(String name, Dataset pool, Dataset test, String[] classes) {}

    static Args options() {
        return new Args("finetune", "Transfer learning: pre-train on digits 0-4 (or load --from), freeze the convolutions, replace the head,\n"
                + "fine-tune on a small budget of the target task, and compare with training from scratch on the same budget.")
                .option("target", "digits5-9", "target task: digits5-9 or fashion-mnist")
                .option("from", null, "start from this ./kiln mnist checkpoint instead of pre-training on digits 0-4")
                .option("per-class", "50", "labelled training images per target class")
                .option("repeats", "3", "budgets drawn (seeds seed, seed+1, ...): each trains both models; the means are compared")
                .option("pretrain-epochs", "2", "epochs of pre-training on digits 0-4")
                .option("finetune-epochs", "30", "epochs over the small budget (fine-tuning and scratch alike)")
                .option("lr", "0.001", "Adam learning rate of every phase")
                .backendOption()
                .option("data", "data/mnist", "folder with the MNIST IDX files")
                .option("fashion-data", "data/fashion-mnist", "folder with the Fashion-MNIST IDX files")
                .option("seed", "42", "seed of weights, data order and the budget's sample")
                .option("metrics-out", null, "write metrics JSON to this file")
                .flag("allow-nonfinite-loss", "train on when a batch's loss is NaN or infinite (default: stop with an error)");
    }

    /** Runs the command; {@code --help} lists the options. */
    public static void main(String[] argv) throws Exception {
        Setup.main(argv, options(), FinetuneCommand::run);
    }

    static void run(Args a) throws Exception {
        String target = a.choice("target", "digits5-9", "fashion-mnist");
        int perClass = a.integer("per-class", 1, MAX_PER_CLASS), repeats = a.integer("repeats", 1, MAX_REPEATS);
        int pretrainEpochs = a.integer("pretrain-epochs", 0, MnistCommand.MAX_EPOCHS), epochs = a.integer("finetune-epochs", 1, MnistCommand.MAX_EPOCHS);
        double lr = a.positive("lr");
        long seed = a.longValue("seed");
        boolean allowNonfinite = a.has("allow-nonfinite-loss");
        OutputPaths.checkFile(a, "metrics-out"); // before hours of training, not after
        Backend backend = Setup.backend(a);
        Path mnistDir = a.path("data");
        ImageDataset mnistTrain = Setup.load(mnistDir, Split.TRAIN, "./kiln fetch-data --only mnist");
        ImageDataset mnistTest = Setup.load(mnistDir, Split.TEST, "./kiln fetch-data --only mnist");
        Task task = target.equals("digits5-9")
                ? new Task("digits 5-9", mnistTrain.filterByLabel(l -> l >= 5, l -> l - 5), mnistTest.filterByLabel(l -> l >= 5, l -> l - 5),
                        new String[] {"5", "6", "7", "8", "9"})
                : fashion(a.path("fashion-data"));
        int classes = task.classes().length;
        System.out.printf("target: %s, %d classes, budget %d labelled images per class, %d test images, %d repeats%n",
                task.name(), classes, perClass, task.test().size(), repeats);

        int sourceClasses = a.has("from") ? 10 : 5;
        Path pretrained = Files.createTempFile("kiln-finetune-", ".safetensors");
        try {
            Map<String, Object> source;
            try (SeedCnn pre = new SeedCnn(sourceClasses, new Generator(seed), backend)) {
                source = a.has("from") ? load(pre, a.path("from")) : pretrain(pre, mnistTrain, mnistTest, pretrainEpochs, lr, seed, backend, allowNonfinite);
                SafeTensors.write(pretrained, pre.stateDict(), Map.of());
            }
            List<Object> runs = new ArrayList<>();
            double[] tunedAcc = new double[repeats], scratchAcc = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long s = seed + r;
                Dataset budget = task.pool().samplePerClass(perClass, s);
                System.out.printf("repeat %d/%d: budget of %d images (seed %d)%n", r + 1, repeats, budget.size(), s);
                Phase tuned, base;
                try (SeedCnn model = new SeedCnn(sourceClasses, new Generator(s), backend)) {
                    SafeTensors.loadInto(pretrained, model.stateDict(), true);
                    // Fine-tuning: a new head for the target classes, convolutions frozen, the rest trained.
                    model.replace(SeedCnn.HEAD, new Linear(SeedCnn.HIDDEN, classes, true, new Generator(s + 1000), backend)).close();
                    model.get(SeedCnn.FEATURES).requiresGrad(false);
                    tuned = trainOnBudget("fine-tuned", model, budget, task, epochs, lr, s, backend, allowNonfinite);
                }
                try (SeedCnn scratch = new SeedCnn(classes, new Generator(s + 2000), backend)) {
                    base = trainOnBudget("from scratch", scratch, budget, task, epochs, lr, s, backend, allowNonfinite);
                }
                tunedAcc[r] = tuned.test().accuracy();
                scratchAcc[r] = base.test().accuracy();
                runs.add(Json.obj("seed", s, "budget_images", budget.size(), "finetuned", tuned.json(), "scratch", base.json()));
            }
            double tunedMean = mean(tunedAcc), scratchMean = mean(scratchAcc);
            int wins = 0;
            for (int r = 0; r < repeats; r++) if (tunedAcc[r] > scratchAcc[r]) wins++;
            System.out.printf("%s test accuracy, mean of %d budgets: fine-tuned %s vs from scratch %s (%+.2f points; fine-tuning ahead in %d of %d)%n",
                    task.name(), repeats, Report.percent(tunedMean), Report.percent(scratchMean), 100 * (tunedMean - scratchMean), wins, repeats);
            if (a.has("metrics-out")) {
                Setup.writeJson(a.path("metrics-out"), Json.obj("command", "finetune", "backend", backend.name(), "device", backend.description(),
                        "target", target, "classes", classes, "per_class", perClass, "repeats", repeats, "finetune_epochs", epochs, "lr", lr,
                        "seed", seed, "source", source, "runs", runs,
                        "finetuned_test_accuracy", tunedMean, "scratch_test_accuracy", scratchMean,
                        "finetuned_test_accuracies", list(tunedAcc), "scratch_test_accuracies", list(scratchAcc),
                        "finetuning_wins", wins, "finetuning_beats_scratch", tunedMean > scratchMean));
            }
        } finally {
            Files.deleteIfExists(pretrained);
        }
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    private static List<Object> list(double[] v) {
        List<Object> out = new ArrayList<>();
        for (double x : v) out.add(x);
        return out;
    }

    private static Task fashion(Path dir) throws java.io.IOException {
        ImageDataset train = Setup.load(dir, Split.TRAIN, "./kiln fetch-data --only fashion-mnist");
        ImageDataset test = Setup.load(dir, Split.TEST, "./kiln fetch-data --only fashion-mnist");
        return new Task("Fashion-MNIST", train, test, FASHION);
    }

    /** Pre-trains {@code model} (5 outputs) on the digits 0-4 and reports its accuracy on their test images. */
    private static Map<String, Object> pretrain(SeedCnn model, ImageDataset train, ImageDataset test, int epochs, double lr, long seed,
                                                Backend backend, boolean allowNonfinite) {
        Dataset low = train.filterByLabel(l -> l < 5, l -> l), lowTest = test.filterByLabel(l -> l < 5, l -> l);
        System.out.printf("pre-training on digits 0-4: %d images, %d epochs%n", low.size(), epochs);
        try (DataLoader loader = DataLoader.builder(low).batchSize(64).shuffle(true).seed(seed).backend(backend).build();
             DataLoader testLoader = Setup.evalLoader(lowTest, backend);
             Adam adam = new Adam(model.parameters(), lr)) {
            Trainer t = Trainer.builder(model, adam, loader).evaluateOn("test 0-4", testLoader).listener(Progress.forConsole())
                    .schedule(Setup.cosineOverRun(epochs, loader)).allowNonfiniteLoss(allowNonfinite).build();
            t.fit(epochs);
            double acc = t.history().isEmpty() ? Double.NaN : t.history().getLast().evalAccuracy();
            return Json.obj("kind", "pretrained on digits 0-4", "images", low.size(), "epochs", epochs, "test_accuracy_0_4", acc,
                    "history", Setup.epochs(t.history(), "test"));
        }
    }

    /** Loads the weights of a {@code ./kiln mnist} checkpoint non-strictly and reports what matched. */
    private static Map<String, Object> load(SeedCnn model, Path file) throws java.io.IOException {
        LoadResult r = SafeTensors.loadInto(file, model.stateDict(), false);
        System.out.println("loaded " + file + ": " + r);
        if (r.loaded().isEmpty()) throw new java.io.IOException(file + " holds none of the seed CNN's weights: " + r);
        return Json.obj("kind", "checkpoint", "file", file.toString(), "loaded", r.loaded(), "missing", r.missing(),
                "unexpected", r.unexpected(), "mismatched", r.mismatched());
    }

    /** The outcome of training on the budget. */
    private record Phase(String name, List<EpochResult> history, Evaluation test, long trainable, double seconds) {
        Map<String, Object> json() {
            EpochResult last = history.getLast();
            return Json.obj("test_accuracy", test.accuracy(), "test_loss", test.loss(), "trainable_parameters", trainable,
                    "final_train_loss", last.trainLoss(), "final_train_accuracy", last.trainAccuracy(), "train_seconds", seconds,
                    "steps", last.step());
        }
    }

    /** Trains the trainable parameters of {@code model} on the budget and evaluates on the target's test set. */
    private static Phase trainOnBudget(String name, Module model, Dataset budget, Task task, int epochs, double lr, long seed, Backend backend,
                                       boolean allowNonfinite) {
        List<Tensor> trainable = model.parameters().stream().filter(Tensor::requiresGrad).toList();
        long count = trainable.stream().mapToLong(Tensor::numel).sum();
        try (DataLoader loader = DataLoader.builder(budget).batchSize(32).shuffle(true).seed(seed).backend(backend).build();
             DataLoader testLoader = Setup.evalLoader(task.test(), backend);
             Adam adam = new Adam(trainable, lr)) {
            Trainer t = Trainer.builder(model, adam, loader).allowNonfiniteLoss(allowNonfinite).build();
            List<EpochResult> h = t.fit(epochs);
            Evaluation e = Evaluator.evaluate(model, testLoader, new CrossEntropyLoss());
            double seconds = h.stream().mapToDouble(EpochResult::seconds).sum();
            System.out.printf("  %-13s %,7d trainable parameters, %d steps, final train loss %.4f, %s test accuracy %s%n", name + ":", count,
                    t.step(), h.getLast().trainLoss(), task.name(), Report.percent(e.accuracy()));
            return new Phase(name, h, e, count, seconds);
        }
    }
}
