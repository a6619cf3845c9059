package dev.kiln.train;

import static dev.kiln.train.ResumeSupport.inRange;
import static dev.kiln.train.ResumeSupport.need;

import dev.kiln.Kiln;
import dev.kiln.data.Batch;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Epoch;
import dev.kiln.internal.Excerpt;
import dev.kiln.io.Checkpoint;
import dev.kiln.io.TrainingState;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Loss;
import dev.kiln.nn.Module;
import dev.kiln.optim.GradientClipping;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.schedule.LrScheduler;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A supervised training loop: per batch forward, loss, backward, optional gradient clipping,
 * optimizer step and learning-rate schedule step; per epoch an optional evaluation;
 * {@link TrainingListener}s see every step and epoch (progress display, checkpoints, metrics).
 *
 * {@snippet class=dev.kiln.snippets.TrainerSnippetsTest region=fit}
 *
 * <p>Beyond classifiers: {@link Builder#forward} maps a batch to the model call (several inputs,
 * masks), {@link Builder#loss} takes any function of the output and the batch's target, and
 * {@link Builder#metrics} chooses what is reported besides the loss (default: {@link Metric#accuracy()};
 * none for a loss-only run, {@link Metric#tokenAccuracy(long)} for padded sequences). Results
 * carry the metrics by name ({@link EpochResult#trainMetrics()}, {@link Evaluation#metrics()}).
 *
 * <p>Resuming: {@link #save} writes the model, the optimizer state and the position (epoch,
 * batch within the epoch, step, schedule, registered random streams, epoch history);
 * {@link #resume} on a trainer built the same way restores all of it, and {@link #fit} carries
 * on. Because data-loader epochs depend only on their seed and index, the resumed run sees the
 * same batches and, on a deterministic backend, ends bit-identical to an uninterrupted one.
 * {@snippet class=dev.kiln.snippets.TrainerSnippetsTest region=resume}
 *
 * <p>Non-finite losses: each step's loss is read once on the host (the value the progress
 * figures show; on a GPU that read is the step's existing synchronisation, moved before the
 * optimizer step rather than added). A NaN or infinite loss stops {@link #fit} with a
 * {@link NonFiniteLossException} naming the epoch, batch and step, before the optimizer applies
 * that batch's gradients and before any listener sees the step, so no epoch checkpoint is written
 * after it. {@link #save} also refuses a model holding NaN or infinite values (they can come
 * from gradients that overflowed while the loss was still finite), leaving the previous
 * checkpoint in place. {@link Builder#allowNonfiniteLoss} turns both checks off; training then
 * goes on and logs one warning per {@code fit}.
 *
 * <p>Output: a trainer never writes to {@code System.out} or {@code System.err}. Progress is
 * shown only by the listeners added: {@link ProgressLog} logs through {@link System.Logger}
 * (so a service routes it to its logging framework), while {@link Progress#forConsole()} and
 * {@link ProgressBar} are explicit choices for command-line programs that print to a stream.
 * The trainer itself logs through the {@code System.Logger} named after this class: one
 * {@code DEBUG} line per epoch (its summary) and a {@code WARNING} when a non-finite loss is
 * trained on.
 *
 * <p>Not thread-safe: drive a trainer from one thread.
 */
public final class Trainer {
    private static final System.Logger LOG = System.getLogger(Trainer.class.getName());
    private static final BatchForward DEFAULT_FORWARD = BatchForward.singleInput();
    private static final String BATCH = "trainer.batch", LOSS_SUM = "trainer.epoch_loss_sum", CORRECT = "trainer.epoch_correct",
            SEEN = "trainer.epoch_seen", SECONDS = "trainer.epoch_seconds", SCHEDULE = "trainer.schedule_step",
            HISTORY = "trainer.history.", METRIC = "trainer.metric.";

    private final Module model;
    private final Optimizer optimizer;
    private final DataLoader train;
    private final Loss loss;
    private final BatchForward forward;
    private final List<Metric> metrics;
    /** Default forward and the accuracy metric alone: evaluation keeps the classifier's confusion matrix and predictions. */
    private final boolean classifier;
    /** Index of the metric named "accuracy" (the legacy accuracy figures), or -1. */
    private final int accuracyIndex;
    private final DataLoader eval;
    private final String evalName;
    private final LrScheduler scheduler;
    private final double clipNorm;
    private final long maxSteps;
    private final Map<String, Generator> streams;
    private final List<TrainingListener> listeners;
    private final boolean allowNonfinite;
    private boolean warnedNonfinite;

    private int epoch;
    private int batchInEpoch;
    private long step;
    private double epochLossSum;
    private final double[] metricTotals;
    private final long[] metricCounts;
    private long epochSeen;
    private double epochSeconds;
    private int targetEpochs;
    private final List<EpochResult> history = new ArrayList<>();
    private Evaluation lastEvaluation;

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.train = b.train;
        this.loss = b.loss;
        this.forward = b.forward;
        this.metrics = List.copyOf(b.metrics);
        this.classifier = b.forward == DEFAULT_FORWARD && metrics.size() == 1 && metrics.getFirst() instanceof ArgmaxAccuracy a
                && a.ignoreIndex() == null;
        int acc = -1;
        for (int i = 0; i < metrics.size(); i++) if (metrics.get(i).name().equals("accuracy")) acc = i;
        this.accuracyIndex = acc;
        this.metricTotals = new double[metrics.size()];
        this.metricCounts = new long[metrics.size()];
        this.eval = b.eval;
        this.evalName = b.evalName;
        this.scheduler = b.schedule == null ? null : new LrScheduler(b.optimizer, b.schedule);
        this.clipNorm = b.clipNorm;
        this.maxSteps = b.maxSteps;
        this.streams = Collections.unmodifiableMap(new LinkedHashMap<>(b.streams));
        this.listeners = List.copyOf(b.listeners);
        this.allowNonfinite = b.allowNonfinite;
    }

    /**
     * Starts configuring a trainer of {@code model} by {@code optimizer} (built over the model's
     * parameters, after the model was moved to its device) on the batches of {@code train}.
     *
     * @param model the classifier, already on its device
     * @param optimizer the optimizer over {@code model}'s parameters
     * @param train the training batches
     * @return a builder with the defaults (cross-entropy loss, no evaluation, no schedule)
     */
    public static Builder builder(Module model, Optimizer optimizer, DataLoader train) {
        return new Builder(model, optimizer, train);
    }

    // ---------------------------------------------------------------- training

    /**
     * Trains until {@code epochs} epochs are complete (counting those completed before a
     * {@link #resume}) or the step budget is spent, whichever comes first.
     *
     * @param epochs total epochs to reach, >= 0
     * @return the epochs completed by this call, in order
     * @throws IllegalArgumentException if {@code epochs < 0}, or the model rejects a batch
     * @throws NonFiniteLossException if a batch's loss is NaN or infinite (unless {@link Builder#allowNonfiniteLoss});
     *                                the model keeps the previous step's weights
     */
    public List<EpochResult> fit(int epochs) {
        if (epochs < 0) throw new IllegalArgumentException("Trainer: epochs must be >= 0, got " + epochs);
        targetEpochs = epochs;
        warnedNonfinite = false;
        List<EpochResult> done = new ArrayList<>();
        for (TrainingListener l : listeners) l.onTrainStart(this);
        while (epoch < epochs && step < maxSteps) {
            int batches = train.batchesPerEpoch();
            for (TrainingListener l : listeners) l.onEpochStart(this, epoch, batches);
            if (!trainEpoch(batches)) break;
            EpochResult r = finishEpoch();
            done.add(r);
            if (LOG.isLoggable(System.Logger.Level.DEBUG)) LOG.log(System.Logger.Level.DEBUG, Progress.epochLine(this, r));
            for (TrainingListener l : listeners) l.onEpochEnd(this, r);
        }
        for (TrainingListener l : listeners) l.onTrainEnd(this);
        return done;
    }

    /** Runs the rest of the current epoch; false when the step budget ran out before its end. */
    private boolean trainEpoch(int batches) {
        model.train();
        try (Epoch<Batch> it = train.epoch(epoch)) {
            for (int k = 0; k < batchInEpoch && it.hasNext(); k++) {
                try (var _ = Kiln.scope()) {
                    it.next(); // trained before the checkpoint: drawn (to keep the epoch's random stream in step) and dropped
                }
            }
            long start = System.nanoTime();
            double before = epochSeconds;
            while (it.hasNext()) {
                if (step >= maxSteps) return false;
                StepResult r;
                try (var _ = Kiln.scope()) {
                    r = trainStep(it.next(), batches, before, start);
                }
                for (TrainingListener l : listeners) l.onStep(this, r);
            }
        }
        return batchInEpoch >= batches;
    }

    private StepResult trainStep(Batch b, int batches, double secondsBefore, long start) {
        optimizer.zeroGrad();
        Tensor output = forward.apply(model, b);
        Tensor value = loss.apply(output, b.target());
        value.backward();
        // The one host read of the loss per step (the progress figures need it anyway), taken before the optimizer step so
        // that a non-finite loss stops training with the previous step's weights intact.
        double l = value.item();
        if (!Double.isFinite(l)) nonFinite(l, batches);
        if (clipNorm > 0) GradientClipping.clipGradNorm(model.parameters(), clipNorm);
        double lr = optimizer.paramGroups().getFirst().lr();
        optimizer.step();
        step++;
        if (scheduler != null) scheduler.step();
        int size = b.size();
        int correct = 0;
        try (var _ = Kiln.noGrad()) {
            for (int m = 0; m < metricTotals.length; m++) {
                Metric.Score sc = metrics.get(m).score(output, b.target());
                metricTotals[m] += sc.total();
                metricCounts[m] += sc.count();
                if (m == accuracyIndex) correct = (int) sc.total();
            }
        }
        epochLossSum += l * size;
        epochSeen += size;
        epochSeconds = secondsBefore + (System.nanoTime() - start) / 1e9;
        int index = batchInEpoch++;
        Map<String, Double> running = metricValues();
        return new StepResult(epoch, index, batches, step, l, size, correct, lr, epochLossSum / epochSeen,
                running.getOrDefault("accuracy", Double.NaN), epochSeen, epochSeconds, running);
    }

    /** Each metric's value over the epoch so far, by name (NaN for one that has counted nothing). */
    private Map<String, Double> metricValues() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int m = 0; m < metricTotals.length; m++) {
            out.put(metrics.get(m).name(), metricCounts[m] == 0 ? Double.NaN : metricTotals[m] / metricCounts[m]);
        }
        return out;
    }

    /** Stops at a NaN or infinite loss, or (when allowed) warns once per {@link #fit} and trains on. */
    private void nonFinite(double l, int batches) {
        NonFiniteLossException e = new NonFiniteLossException(epoch, batchInEpoch, batches, step + 1, l);
        if (!allowNonfinite) throw e;
        if (!warnedNonfinite) {
            warnedNonfinite = true;
            LOG.log(System.Logger.Level.WARNING, e.where() + "; training on as allowNonfiniteLoss(true) asks (further ones in this fit are not logged)");
        }
    }

    private EpochResult finishEpoch() {
        double evalLoss = Double.NaN, evalAcc = Double.NaN;
        Map<String, Double> evalMetrics = Map.of();
        if (eval != null) {
            lastEvaluation = evaluate();
            evalLoss = lastEvaluation.loss();
            evalAcc = lastEvaluation.accuracy();
            evalMetrics = lastEvaluation.metrics();
        }
        Map<String, Double> trainMetrics = metricValues();
        EpochResult r = new EpochResult(epoch, epochLossSum / epochSeen, trainMetrics.getOrDefault("accuracy", Double.NaN), evalLoss,
                evalAcc, epochSeconds, epochSeconds > 0 ? epochSeen / epochSeconds : 0, step, optimizer.paramGroups().getFirst().lr(),
                trainMetrics, evalMetrics);
        history.add(r);
        epoch++;
        batchInEpoch = 0;
        epochLossSum = 0;
        java.util.Arrays.fill(metricTotals, 0);
        java.util.Arrays.fill(metricCounts, 0);
        epochSeen = 0;
        epochSeconds = 0;
        return r;
    }

    /**
     * Evaluates the model on the evaluation loader now (see {@link Evaluator#evaluate}).
     *
     * A classifier (the default forward and metrics) gets the confusion matrix and per-sample
     * predictions too; other models their loss and metrics ({@link Evaluator#evaluate(Module,
     * DataLoader, Loss, BatchForward, List)}).
     *
     * @return loss, metrics (and, for a classifier, per-sample predictions) on the evaluation set
     * @throws IllegalStateException if the trainer was built without one
     */
    public Evaluation evaluate() {
        if (eval == null) throw new IllegalStateException("Trainer: no evaluation data; build with evaluateOn(name, loader)");
        return classifier ? Evaluator.evaluate(model, eval, loss) : Evaluator.evaluate(model, eval, loss, forward, metrics);
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Writes a checkpoint of the current state: {@code file} (the model's {@link Module#stateDict()}
     * and the position) and its optimizer companion (see {@link Checkpoint}), each atomically.
     *
     * @param file the checkpoint's weights file; the optimizer's companion file goes beside it
     * @throws IOException if writing fails (the previous checkpoint then stays in place)
     * @throws IllegalStateException if the model holds NaN or infinite values and the trainer was not built with
     *                               {@link Builder#allowNonfiniteLoss} (nothing is written)
     */
    public void save(Path file) throws IOException {
        if (!allowNonfinite) ResumeSupport.requireFiniteModel("Trainer", model, step, file);
        Map<String, Long> rng = ResumeSupport.streamOffsets(streams);
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put(BATCH, Integer.toString(batchInEpoch));
        extra.put(LOSS_SUM, Double.toString(epochLossSum));
        // the legacy count of correct samples: the accuracy's total while it counts one prediction per sample
        boolean perSample = accuracyIndex >= 0 && metricCounts[accuracyIndex] == epochSeen;
        extra.put(CORRECT, Long.toString(perSample ? (long) metricTotals[accuracyIndex] : 0));
        for (int m = 0; m < metricTotals.length; m++) {
            extra.put(METRIC + metrics.get(m).name(), metricTotals[m] + "," + metricCounts[m]);
        }
        extra.put(SEEN, Long.toString(epochSeen));
        extra.put(SECONDS, Double.toString(epochSeconds));
        if (scheduler != null) extra.put(SCHEDULE, Long.toString(scheduler.lastStep()));
        for (int i = 0; i < history.size(); i++) extra.put(ResumeSupport.historyKey(HISTORY, i), history.get(i).encode());
        Checkpoint.save(file, model.stateDict(), optimizer.state(), new TrainingState(epoch, step, rng, extra));
    }

    /**
     * Restores a checkpoint written by {@link #save}: the model's tensors (strictly: every key
     * and shape must match), the optimizer state, the position, the schedule, the registered
     * random streams and the epoch history.
     *
     * @param file the weights file given to {@link #save}
     * @return the restored position
     * @throws IOException if the files cannot be read, are damaged, or do not fit this trainer
     *     (the message names the file and the problem)
     */
    public TrainingState resume(Path file) throws IOException {
        try (Checkpoint.Loaded loaded = ResumeSupport.load(file, model)) {
            TrainingState pos = loaded.position();
            ResumeState s = ResumeState.parse(file, pos, streams.keySet(), scheduler != null, train.batchesPerEpoch());
            optimizer.loadState(loaded.optimizer());
            ResumeSupport.restoreStreams(file, pos, streams);
            if (scheduler != null) scheduler.lastStep(s.scheduleStep());
            epoch = pos.epoch();
            step = pos.step();
            batchInEpoch = s.batch();
            epochLossSum = s.lossSum();
            epochSeen = s.seen();
            restoreMetrics(file, pos.extra(), s);
            epochSeconds = s.seconds();
            history.clear();
            history.addAll(s.history());
            return pos;
        }
    }

    /** Each metric's running sums from its key, or for {@code accuracy} in an older checkpoint from the correct count. */
    private void restoreMetrics(Path file, Map<String, String> extra, ResumeState s) throws IOException {
        for (int m = 0; m < metricTotals.length; m++) {
            String v = extra.get(METRIC + metrics.get(m).name());
            if (v == null) {
                boolean legacy = m == accuracyIndex && extra.keySet().stream().noneMatch(k -> k.startsWith(METRIC));
                metricTotals[m] = legacy ? s.correct() : 0;
                metricCounts[m] = legacy ? s.seen() : 0;
                continue;
            }
            try {
                String[] f = v.split(",", -1);
                if (f.length != 2) throw new NumberFormatException("expected total,count");
                metricTotals[m] = Double.parseDouble(f[0]);
                metricCounts[m] = Long.parseLong(f[1]);
                if (metricCounts[m] < 0) throw new NumberFormatException("negative count");
            } catch (NumberFormatException e) {
                throw new IOException(file + ": not a Trainer checkpoint, or a damaged one: metadata kiln.extra." + METRIC
                        + metrics.get(m).name() + " = " + Excerpt.of(v, 100) + " is malformed (" + e.getMessage() + ")", e);
            }
        }
    }

    /** The trainer's position and history as stored in a checkpoint's metadata. */
    private record ResumeState(int batch, double lossSum, long correct, long seen, double seconds, long scheduleStep,
                               List<EpochResult> history) {
        static ResumeState parse(Path file, TrainingState pos, java.util.Set<String> streams, boolean scheduled, int batches) throws IOException {
            Map<String, String> x = pos.extra();
            try {
                ResumeSupport.requireStreams(pos, streams);
                List<EpochResult> history = new ArrayList<>();
                for (Map.Entry<String, String> e : x.entrySet()) { // sorted by key: zero-padded indices keep epoch order
                    if (e.getKey().startsWith(HISTORY)) history.add(EpochResult.decode(e.getValue()));
                }
                ResumeState s = new ResumeState(Integer.parseInt(need(x, BATCH)), Double.parseDouble(need(x, LOSS_SUM)),
                        Long.parseLong(need(x, CORRECT)), Long.parseLong(need(x, SEEN)), Double.parseDouble(need(x, SECONDS)),
                        scheduled ? Long.parseLong(need(x, SCHEDULE)) : 0, history);
                // checked before anything is restored: out-of-range values would silently end epochs early or skew schedules
                inRange(BATCH, s.batch(), 0, batches);
                inRange(SEEN, s.seen(), 0, Long.MAX_VALUE);
                inRange(CORRECT, s.correct(), 0, s.seen());
                inRange(SCHEDULE, s.scheduleStep(), 0, pos.step());
                return s;
            } catch (IllegalArgumentException e) {
                String why = Excerpt.of(e.getMessage(), 200); // may quote a metadata value of any length
                throw new IOException(file + ": not a Trainer checkpoint, or a damaged one: " + why, e);
            }
        }
    }

    // ---------------------------------------------------------------- state

    /**
     * The model being trained.
     *
     * @return the model being trained
     */
    public Module model() {
        return model;
    }

    /** {@return the optimizer} */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** {@return the training data} */
    public DataLoader trainLoader() {
        return train;
    }

    /** {@return epochs completed} */
    public int epoch() {
        return epoch;
    }

    /** {@return optimizer steps taken} */
    public long step() {
        return step;
    }

    /** {@return the epoch count the running (or last) {@link #fit} call aims for} */
    public int targetEpochs() {
        return targetEpochs;
    }

    /** {@return the name of the evaluation set ("test" unless given), used in progress lines} */
    public String evalName() {
        return evalName;
    }

    /** {@return every completed epoch, including those restored by {@link #resume} (unmodifiable)} */
    public List<EpochResult> history() {
        return Collections.unmodifiableList(history);
    }

    /** {@return the evaluation after the last epoch trained in this process, or null} */
    public Evaluation lastEvaluation() {
        return lastEvaluation;
    }

    /** Settings of a {@link Trainer}; every setter validates its argument. */
    public static final class Builder extends TrainingLoopBuilder<Builder> {
        private final DataLoader train;
        private final List<Metric> metrics = new ArrayList<>(List.of(Metric.accuracy()));
        private DataLoader eval;
        private String evalName = "test";
        private long maxSteps = Long.MAX_VALUE;
        private final List<TrainingListener> listeners = new ArrayList<>();

        private Builder(Module model, Optimizer optimizer, DataLoader train) {
            super("Trainer", model, optimizer, new CrossEntropyLoss(), DEFAULT_FORWARD);
            this.train = Objects.requireNonNull(train, "train");
        }

        /**
         * The metrics reported besides the loss, in this order (default: {@link Metric#accuracy()});
         * none for a loss-only run.
         *
         * @param metrics the metrics, with distinct names
         * @return this builder
         * @throws IllegalArgumentException if two share a name or a name is not a plain word
         */
        public Builder metrics(Metric... metrics) {
            List<Metric> list = List.of(metrics);
            java.util.Set<String> names = new java.util.HashSet<>();
            for (Metric m : list) {
                String name = m.name();
                if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
                    throw new IllegalArgumentException("Trainer: metric name must be letters, digits, '_', '-' or '.', got '" + name + "'");
                }
                if (!names.add(name)) throw new IllegalArgumentException("Trainer: two metrics are named '" + name + "'");
            }
            this.metrics.clear();
            this.metrics.addAll(list);
            return this;
        }

        /**
         * Evaluates on {@code loader} (unshuffled) after every epoch, reported under {@code name} (e.g. "test").
         *
         * @param name label of the evaluation in progress lines and results
         * @param loader the evaluation batches
         * @return this builder
         */
        public Builder evaluateOn(String name, DataLoader loader) {
            this.evalName = Objects.requireNonNull(name, "name");
            this.eval = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /**
         * Stops {@link #fit} once {@code steps} optimizer steps have been taken in all (a budget; default: none).
         *
         * @param steps the total number of optimizer steps to take
         * @return this builder
         */
        public Builder stopAfterSteps(long steps) {
            if (steps < 0) throw new IllegalArgumentException("Trainer: stopAfterSteps must be >= 0, got " + steps);
            this.maxSteps = steps;
            return this;
        }

        /**
         * Adds a listener; listeners are called in the order added.
         *
         * @param listener called on every step and epoch
         * @return this builder
         */
        public Builder listener(TrainingListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Adds an {@link EpochCheckpoint} writing {@code file} after every epoch.
         *
         * @param file the checkpoint's weights file
         * @return this builder
         */
        public Builder checkpointEveryEpoch(Path file) {
            return listener(new EpochCheckpoint(file));
        }

        /** {@return the configured trainer; applies the schedule's step-0 learning rates to the optimizer} */
        public Trainer build() {
            return new Trainer(this);
        }
    }
}
