package dev.kiln.samples;

import dev.kiln.data.DataLoader;
import dev.kiln.data.ImageDataset;
import dev.kiln.data.Split;
import dev.kiln.nn.Module;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.schedule.WarmupCosine;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.train.EpochResult;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Progress;
import dev.kiln.train.Trainer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training run of {@code ./kiln seq-mnist} and {@code ./kiln vit}, with the conventions of
 * {@code ./kiln mnist}: inputs normalised with MNIST's mean and std, a per-step
 * {@link WarmupCosine} schedule, optional gradient clipping, progress, test accuracy and a
 * checkpoint every epoch, metrics JSON and a PNG report.
 */
final class SeqTraining {
    /** MNIST's pixel mean and standard deviation (of [0, 1] pixels), as the PyTorch peer. */
    static final float MEAN = 0.1307f, STD = 0.3081f;

    private SeqTraining() {}

    /** Builds the model's optimizer. */
    interface OptimizerFactory {
        Optimizer create(Module model) throws Args.UsageException;
    }

    /**
     * What differs between the samples.
     *
     * @param name         the run's name in messages and metrics (e.g. {@code seq-mnist-lstm})
     * @param checkpoint   where to checkpoint every epoch
     * @param model        builds the model from its initial-weight generator
     * @param optimizer    builds the optimizer
     * @param optimizerText the optimizer in words, for the start line
     * @param warmupEpochs epochs of linear warm-up before the cosine decay
     * @param clip         largest global gradient norm, or 0 for none
     * @param config       the run's settings for the metrics JSON (epochs, batch size and seed are added)
     */
    record Spec(String name, Path checkpoint, java.util.function.BiFunction<Generator, Backend, Module> model,
                OptimizerFactory optimizer, String optimizerText, int warmupEpochs, double clip, Map<String, Object> config) {}

    /** Trains as {@code spec} says, with the common options of {@code a} (epochs, batch size, seed, data, outputs). */
    static void run(Args a, Spec spec) throws Exception {
        int epochs = a.integer("epochs", 1, MnistCommand.MAX_EPOCHS), batch = a.integer("batch-size", 1);
        long seed = a.longValue("seed");
        OutputPaths.checkFile(a, "checkpoint", spec.checkpoint());
        OutputPaths.checkFile(a, "metrics-out");
        OutputPaths.checkFolder(a, "report", Report.FILES);
        Backend backend = Setup.backend(a);
        Path data = a.path("data");
        ImageDataset train = Setup.load(data, Split.TRAIN, "./kiln fetch-data"), test = Setup.load(data, Split.TEST, "./kiln fetch-data");
        System.out.printf("data: %d training and %d test images from %s%n", train.size(), test.size(), data);
        if (batch > train.size() && train.size() > 0) {
            System.out.printf("note: --batch-size %d is larger than the %d training images; using %d (one batch per epoch)%n", batch,
                    train.size(), train.size());
            batch = train.size();
        }

        try (Module model = spec.model().apply(new Generator(seed), backend);
             DataLoader trainLoader = DataLoader.builder(train).batchSize(batch).shuffle(true).seed(seed).normalize(MEAN, STD)
                     .backend(backend).build();
             DataLoader testLoader = DataLoader.builder(test).batchSize(500).normalize(MEAN, STD).backend(backend).build();
             Optimizer optimizer = spec.optimizer().create(model)) {
            System.out.print(model.summary(1, 1, SeqModels.SIDE, SeqModels.SIDE));
            LossTrace trace = new LossTrace();
            long perEpoch = trainLoader.batchesPerEpoch();
            Trainer.Builder tb = Trainer.builder(model, optimizer, trainLoader).evaluateOn("test", testLoader)
                    .listener(Progress.forConsole()).listener(trace).checkpointEveryEpoch(spec.checkpoint())
                    .schedule(new WarmupCosine(spec.warmupEpochs() * perEpoch, Math.max(1, epochs * perEpoch)))
                    .clipGradNorm(spec.clip()).allowNonfiniteLoss(a.has("allow-nonfinite-loss"));
            Trainer trainer = tb.build();
            if (a.has("resume")) {
                trainer.resume(a.path("resume"));
                System.out.printf("resumed from %s at epoch %d, step %d%n", a.path("resume"), trainer.epoch(), trainer.step());
            }
            System.out.printf("training %s: %d epochs of %d batches of %d, %s, %scosine schedule per step%s%n", spec.name(), epochs,
                    perEpoch, batch, spec.optimizerText(), spec.warmupEpochs() > 0 ? spec.warmupEpochs() + " epoch(s) of linear warm-up, then " : "",
                    spec.clip() > 0 ? ", gradient norm clipped at " + spec.clip() : "");
            int before = trainer.epoch();
            List<EpochResult> trained = MnistCommand.fit(trainer, epochs, spec.checkpoint(), before);
            Evaluation eval = trainer.lastEvaluation() != null ? trainer.lastEvaluation() : trainer.evaluate();
            System.out.printf("test accuracy: %s (%d of %d right)%n", Report.percent(eval.accuracy()), Math.round(eval.accuracy() * eval.size()), eval.size());
            if (!trained.isEmpty()) System.out.println("checkpoint: " + spec.checkpoint());
            else System.out.printf("checkpoint: not written (the resumed checkpoint already has %d epochs, --epochs is %d)%n", before, epochs);

            if (a.has("metrics-out")) Setup.writeJson(a.path("metrics-out"), metrics(a, spec, backend, model, trainer, eval, epochs, seed));
            if (a.has("report")) {
                for (Path p : Report.write(a.path("report"), spec.name(), trainer.history(), trace, eval, test, MnistCommand.DIGITS)) {
                    System.out.println("report: " + p);
                }
            }
        }
    }

    private static Map<String, Object> metrics(Args a, Spec spec, Backend backend, Module model, Trainer trainer, Evaluation eval,
                                               int epochs, long seed) {
        Map<String, Object> config = new LinkedHashMap<>(spec.config());
        config.putAll(Json.obj("epochs", epochs, "batch_size", trainer.trainLoader().batchSize(), "warmup_epochs", spec.warmupEpochs(),
                "clip_grad_norm", spec.clip(), "normalize", Json.obj("mean", (double) MEAN, "std", (double) STD), "seed", seed,
                "resumed_from", a.string("resume")));
        return Setup.runMetrics(Json.obj("command", a.command(), "model", spec.name()), backend, model.parameters(), config, trainer, eval);
    }
}
