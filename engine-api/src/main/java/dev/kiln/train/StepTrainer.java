package dev.kiln.train;

import static dev.kiln.train.ResumeSupport.inRange;
import static dev.kiln.train.ResumeSupport.need;

import dev.kiln.Kiln;
import dev.kiln.data.Batch;
import dev.kiln.internal.Excerpt;
import dev.kiln.io.Checkpoint;
import dev.kiln.io.TrainingState;
import dev.kiln.nn.Loss;
import dev.kiln.nn.Module;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.optim.GradientClipping;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.schedule.LrScheduler;
import dev.kiln.spi.CrossEntropySpec;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A step-based training loop, as language-model pre-training runs: a fixed number of optimizer
 * steps over batches drawn from a {@link Supplier} (random windows of a corpus, say) rather than
 * epochs over a data set. Per optimizer step: {@code k} micro-batches of forward, loss and
 * backward (gradient accumulation), optional gradient clipping, the optimizer step and the
 * learning-rate schedule's step; every {@code n} steps an evaluation (validation loss per token
 * and perplexity), history rows and checkpoints.
 *
 * {@snippet class=dev.kiln.snippets.StepTrainerSnippetsTest region=fit}
 *
 * <p>Batches: each {@code get()} of the supplier is one micro-batch, its tensors on the model's
 * backend, with a target; the default loss, {@link #tokenCrossEntropy()}, takes logits
 * {@code [B, T, V]} and INT64 targets {@code [B, T]}. Tensors the supplier creates in {@code get()}
 * belong to that micro-batch's scope and are freed after its backward pass (a supplier may also
 * hand out batches it keeps; the trainer never closes a batch). Validation batches come from an
 * {@link Iterable} under the same rule, iterated afresh at every evaluation.
 *
 * <p>Gradient accumulation: with {@code k} micro-batches per step each loss is scaled by
 * {@code 1/k} before its backward pass, so for a mean loss over micro-batches of equal size the
 * update equals that of one batch of {@code k} times the size, at the memory of one.
 *
 * <p>Resuming: {@link #save} writes the model, the optimizer state, the step, the schedule's
 * step, the registered random streams ({@link Builder#randomStream}: register the generator the
 * batch supplier draws its windows from and those of dropout layers), the history and the
 * training time, atomically (see {@link Checkpoint}); {@link #resume} on a trainer built the same
 * way restores all of it. A run stopped at step {@code s} and resumed then ends bit-identical to
 * an uninterrupted one on a deterministic backend, provided the supplier's batches depend only on
 * its registered streams.
 *
 * <p>Non-finite losses are handled as in {@link Trainer}: the step's loss is read once on the
 * host, before the optimizer step; a NaN or infinite value stops {@link #fit} with a
 * {@link NonFiniteLossException} (the model keeps the previous step's weights), and {@link #save}
 * refuses a model holding NaN or infinite values, unless {@link Builder#allowNonfiniteLoss} is set.
 *
 * <p>The trainer writes nothing to the console itself; add a {@link StepProgress} listener for
 * that. Not thread-safe: drive a trainer from one thread.
 */
public final class StepTrainer {
    private static final System.Logger LOG = System.getLogger(StepTrainer.class.getName());
    private static final String SCHEDULE = "steps.schedule_step", SECONDS = "steps.seconds", LOG_SUM = "steps.log_loss_sum",
            LOG_COUNT = "steps.log_steps", HISTORY = "steps.history.";

    private final Module model;
    private final Optimizer optimizer;
    private final Supplier<Batch> batches;
    private final Loss loss;
    private final BatchForward forward;
    private final int accumulation;
    private final double clipNorm;
    private final LrScheduler scheduler;
    private final Iterable<Batch> eval;
    private final long evalEvery, logEvery, checkpointEvery;
    private final Path checkpoint;
    private final Map<String, Generator> streams;
    private final List<StepListener> listeners;
    private final boolean allowNonfinite;
    private boolean warnedNonfinite;

    private long step;
    private long targetSteps;
    private double seconds;
    /** Sum and count of the step losses since the last history row. */
    private double logLossSum;
    private long logCount;
    private final List<StepRecord> history = new ArrayList<>();
    private StepEvaluation lastEvaluation;

    private StepTrainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.batches = b.batches;
        this.loss = b.loss;
        this.forward = b.forward;
        this.accumulation = b.accumulation;
        this.clipNorm = b.clipNorm;
        this.scheduler = b.schedule == null ? null : new LrScheduler(b.optimizer, b.schedule);
        this.eval = b.eval;
        this.evalEvery = b.evalEvery;
        this.logEvery = b.logEvery;
        this.checkpointEvery = b.checkpointEvery;
        this.checkpoint = b.checkpoint;
        this.streams = Collections.unmodifiableMap(new LinkedHashMap<>(b.streams));
        this.listeners = List.copyOf(b.listeners);
        this.allowNonfinite = b.allowNonfinite;
    }

    /**
     * Starts configuring a trainer of {@code model} by {@code optimizer} on micro-batches from {@code batches}.
     *
     * @param model the model, already on its device
     * @param optimizer the optimizer over the model's trainable parameters
     * @param batches gives one training micro-batch per call
     * @return a builder with the defaults (token cross-entropy, no accumulation, clipping, schedule, evaluation or checkpoints)
     */
    public static Builder builder(Module model, Optimizer optimizer, Supplier<Batch> batches) {
        return new Builder(model, optimizer, batches);
    }

    /**
     * The language-model loss: mean cross-entropy over every position of logits {@code [B, T, V]}
     * against targets INT64 (or INT32) {@code [B, T]}, positions whose target is -100 left out (PyTorch's
     * {@code F.cross_entropy(logits.view(-1, V), targets.view(-1))}). Logits {@code [N, V]} with
     * targets {@code [N]} work too.
     *
     * @return the loss
     */
    public static Loss tokenCrossEntropy() {
        return (logits, targets) -> {
            int v = logits.size(logits.rank() - 1);
            return Functional.crossEntropy(logits.reshape(-1, v), targets.reshape(-1), Reduction.MEAN, 0f, CrossEntropySpec.DEFAULT_IGNORE_INDEX);
        };
    }

    // ---------------------------------------------------------------- training

    /**
     * Trains until {@code steps} optimizer steps have been taken in all (counting those before a
     * {@link #resume}); evaluates every {@link Builder#evaluateEvery} steps and after the last one,
     * and checkpoints every {@link Builder#checkpointEvery} steps and after the last one.
     *
     * @param steps total optimizer steps to reach, at least 0
     * @return the history rows added by this call
     * @throws IllegalArgumentException if {@code steps < 0}, or the model or the loss rejects a batch
     * @throws NonFiniteLossException if a step's loss is NaN or infinite (unless {@link Builder#allowNonfiniteLoss});
     *                                the model keeps the previous step's weights
     * @throws UncheckedIOException if a checkpoint cannot be written (training stops; the previous one stays)
     */
    public List<StepRecord> fit(long steps) {
        if (steps < 0) throw new IllegalArgumentException("StepTrainer: steps must be >= 0, got " + steps);
        targetSteps = steps;
        warnedNonfinite = false;
        int rowsBefore = history.size();
        for (StepListener l : listeners) l.onTrainStart(this);
        model.train();
        while (step < steps) {
            StepUpdate u = trainStep();
            for (StepListener l : listeners) l.onStep(this, u);
            boolean last = step == steps;
            StepEvaluation e = null;
            if (eval != null && (step % evalEvery == 0 || last)) e = evaluateAndNotify();
            if (step % logEvery == 0 || e != null || last) addRow(u, e);
            if (checkpoint != null && (step % checkpointEvery == 0 || last)) checkpoint();
        }
        for (StepListener l : listeners) l.onTrainEnd(this);
        return List.copyOf(history.subList(rowsBefore, history.size()));
    }

    private StepUpdate trainStep() {
        long start = System.nanoTime();
        double lr = optimizer.paramGroups().getFirst().lr();
        optimizer.zeroGrad();
        long tokens = 0;
        double l;
        try (var _ = Kiln.scope()) {
            Tensor total = null;
            for (int m = 0; m < accumulation; m++) {
                Tensor part;
                try (var _ = Kiln.scope()) { // one micro-batch's activations at a time
                    Batch b = batches.get();
                    Tensor value = loss.apply(forward.apply(model, b), b.target());
                    (accumulation == 1 ? value : value.div(accumulation)).backward();
                    tokens += b.target().numel();
                    part = value.detach().keep();
                }
                total = total == null ? part : total.add(part);
            }
            // The one host read of the loss per step, before the optimizer step, so that a non-finite loss leaves the weights intact.
            l = accumulation == 1 ? total.item() : (double) total.item() / accumulation;
        }
        if (!Double.isFinite(l)) nonFinite(l);
        double norm = clipNorm > 0 ? GradientClipping.clipGradNorm(model.trainableParameters(), clipNorm) : Double.NaN;
        optimizer.step();
        step++;
        if (scheduler != null) scheduler.step();
        double stepSeconds = (System.nanoTime() - start) / 1e9;
        seconds += stepSeconds;
        logLossSum += l;
        logCount++;
        return new StepUpdate(step, targetSteps, l, lr, norm, tokens, stepSeconds, seconds);
    }

    /** Stops at a NaN or infinite loss, or (when allowed) warns once per {@link #fit} and trains on. */
    private void nonFinite(double l) {
        NonFiniteLossException e = new NonFiniteLossException(step + 1, l);
        if (!allowNonfinite) throw e;
        if (!warnedNonfinite) {
            warnedNonfinite = true;
            LOG.log(System.Logger.Level.WARNING, e.where() + "; training on as allowNonfiniteLoss(true) asks (further ones in this fit are not logged)");
        }
    }

    /** Evaluates, then calls the listeners with the model still in evaluation mode and gradients off. */
    private StepEvaluation evaluateAndNotify() {
        StepEvaluation e = evaluate();
        seconds += e.seconds();
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var _ = Kiln.noGrad()) {
            for (StepListener l : listeners) l.onEvaluation(this, e);
        } finally {
            model.train(wasTraining);
        }
        return e;
    }

    private void addRow(StepUpdate u, StepEvaluation e) {
        double valLoss = e == null ? Double.NaN : e.loss(), ppl = e == null ? Double.NaN : e.perplexity();
        history.add(new StepRecord(step, logLossSum / logCount, valLoss, ppl, u.lr(), seconds));
        logLossSum = 0;
        logCount = 0;
    }

    private void checkpoint() {
        try {
            Path parent = checkpoint.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            save(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint at step " + step + " to " + checkpoint + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Evaluates the model now on the validation batches, in evaluation mode and without gradients
     * (the mode is restored afterwards): the loss averaged over counted target positions (batch
     * losses weighted by their positions whose target is not -100; every position for a
     * floating-point target) and its exponential, the perplexity. Assumes the loss is a mean over
     * those positions, as {@link #tokenCrossEntropy()} is.
     *
     * @return the validation loss and perplexity at the current step
     * @throws IllegalStateException if the trainer was built without validation batches
     */
    public StepEvaluation evaluate() {
        if (eval == null) throw new IllegalStateException("StepTrainer: no validation batches; build with evaluateEvery(steps, batches)");
        long start = System.nanoTime();
        double sum = 0;
        long counted = 0;
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var _ = Kiln.noGrad()) {
            Iterator<Batch> it = eval.iterator();
            while (true) {
                try (var _ = Kiln.scope()) { // the batch's tensors, if the iterator makes them, and the model's outputs
                    if (!it.hasNext()) break;
                    Batch b = it.next();
                    double l = loss.apply(forward.apply(model, b), b.target()).item();
                    long n = countedPositions(b.target());
                    if (n > 0) sum += l * n;
                    counted += n;
                }
            }
        } finally {
            model.train(wasTraining);
        }
        double mean = counted == 0 ? Double.NaN : sum / counted;
        lastEvaluation = new StepEvaluation(step, mean, Math.exp(mean), counted, (System.nanoTime() - start) / 1e9);
        return lastEvaluation;
    }

    /** Target positions that count in a mean loss: those not equal to the ignore index for class targets, all of them otherwise. */
    private static long countedPositions(Tensor target) {
        long n = 0;
        if (target.dtype() == DType.INT64) {
            for (long t : target.toLongArray()) if (t != CrossEntropySpec.DEFAULT_IGNORE_INDEX) n++;
        } else if (target.dtype() == DType.INT32) {
            for (int t : target.toIntArray()) if (t != CrossEntropySpec.DEFAULT_IGNORE_INDEX) n++;
        } else {
            n = target.numel();
        }
        return n;
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Saves a resumable checkpoint (see the class comment) to {@code file} and its optimizer file beside it.
     *
     * @param file the checkpoint's weights file
     * @throws IOException if writing fails (the previous checkpoint then stays in place)
     * @throws IllegalStateException if the model holds NaN or infinite values and the trainer was not built with
     *                               {@link Builder#allowNonfiniteLoss} (nothing is written)
     */
    public void save(Path file) throws IOException {
        if (!allowNonfinite) ResumeSupport.requireFiniteModel("StepTrainer", model, step, file);
        Map<String, String> extra = new LinkedHashMap<>();
        if (scheduler != null) extra.put(SCHEDULE, Long.toString(scheduler.lastStep()));
        extra.put(SECONDS, Double.toString(seconds));
        extra.put(LOG_SUM, Double.toString(logLossSum));
        extra.put(LOG_COUNT, Long.toString(logCount));
        for (int i = 0; i < history.size(); i++) extra.put(ResumeSupport.historyKey(HISTORY, i), history.get(i).encode());
        TrainingState position = new TrainingState(0, step, ResumeSupport.streamOffsets(streams), extra);
        Checkpoint.save(file, model.stateDict(), optimizer.state(), position);
    }

    /**
     * Restores a checkpoint written by {@link #save}: the model's tensors (strictly: every key and
     * shape must match), the optimizer state, the step, the schedule, the registered random
     * streams, the history and the training time. Nothing but the model's tensors changes when the
     * checkpoint is refused.
     *
     * @param file the weights file given to {@link #save}
     * @return the restored position
     * @throws IOException if the files cannot be read, are damaged, or do not fit this trainer
     *     (the message names the file and the problem)
     */
    public TrainingState resume(Path file) throws IOException {
        try (Checkpoint.Loaded loaded = ResumeSupport.load(file, model)) {
            TrainingState pos = loaded.position();
            Map<String, String> x = pos.extra();
            long scheduleStep, logSteps;
            double secs, logSum;
            List<StepRecord> rows = new ArrayList<>();
            try { // everything checked before anything but the model is restored
                ResumeSupport.requireStreams(pos, streams.keySet());
                scheduleStep = scheduler == null ? 0 : Long.parseLong(need(x, SCHEDULE));
                inRange(SCHEDULE, scheduleStep, 0, pos.step());
                logSteps = Long.parseLong(need(x, LOG_COUNT));
                inRange(LOG_COUNT, logSteps, 0, pos.step());
                logSum = Double.parseDouble(need(x, LOG_SUM));
                secs = Double.parseDouble(need(x, SECONDS));
                for (Map.Entry<String, String> e : x.entrySet()) { // sorted by key: zero-padded indices keep the rows' order
                    if (e.getKey().startsWith(HISTORY)) rows.add(StepRecord.decode(e.getValue()));
                }
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": not a StepTrainer checkpoint, or a damaged one: " + Excerpt.of(e.getMessage(), 200), e);
            }
            optimizer.loadState(loaded.optimizer());
            ResumeSupport.restoreStreams(file, pos, streams);
            if (scheduler != null) scheduler.lastStep(scheduleStep);
            step = pos.step();
            seconds = secs;
            logLossSum = logSum;
            logCount = logSteps;
            history.clear();
            history.addAll(rows);
            return pos;
        }
    }

    // ---------------------------------------------------------------- state

    /** {@return the model being trained} */
    public Module model() {
        return model;
    }

    /** {@return the optimizer} */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** {@return optimizer steps taken} */
    public long step() {
        return step;
    }

    /** {@return the step count the running (or last) {@link #fit} call aims for} */
    public long targetSteps() {
        return targetSteps;
    }

    /** {@return micro-batches per optimizer step} */
    public int gradientAccumulation() {
        return accumulation;
    }

    /** {@return training time so far in seconds, evaluations included, counting runs before a {@link #resume}} */
    public double seconds() {
        return seconds;
    }

    /** {@return every history row, including those restored by {@link #resume} (unmodifiable)} */
    public List<StepRecord> history() {
        return Collections.unmodifiableList(history);
    }

    /** {@return the latest evaluation in this process, or null} */
    public StepEvaluation lastEvaluation() {
        return lastEvaluation;
    }

    /** Settings of a {@link StepTrainer}; every setter validates its argument. */
    public static final class Builder extends TrainingLoopBuilder<Builder> {
        private final Supplier<Batch> batches;
        private int accumulation = 1;
        private Iterable<Batch> eval;
        private long evalEvery = Long.MAX_VALUE, logEvery = 1, checkpointEvery = Long.MAX_VALUE;
        private Path checkpoint;
        private final List<StepListener> listeners = new ArrayList<>();

        private Builder(Module model, Optimizer optimizer, Supplier<Batch> batches) {
            super("StepTrainer", model, optimizer, tokenCrossEntropy(), BatchForward.singleInput());
            this.batches = Objects.requireNonNull(batches, "batches");
        }

        /**
         * Accumulates the gradients of {@code microBatches} batches per optimizer step, each loss
         * scaled by {@code 1/microBatches} (default 1).
         *
         * @param microBatches micro-batches per optimizer step, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code microBatches < 1}
         */
        public Builder gradientAccumulation(int microBatches) {
            if (microBatches < 1) throw new IllegalArgumentException("StepTrainer: gradientAccumulation must be >= 1, got " + microBatches);
            this.accumulation = microBatches;
            return this;
        }

        /**
         * Evaluates on {@code batches} every {@code steps} optimizer steps and after the last one.
         *
         * @param steps steps between evaluations, at least 1
         * @param batches the validation batches, iterated afresh each time (in the same order, for comparable figures)
         * @return this builder
         * @throws IllegalArgumentException if {@code steps < 1}
         */
        public Builder evaluateEvery(long steps, Iterable<Batch> batches) {
            if (steps < 1) throw new IllegalArgumentException("StepTrainer: evaluateEvery must be >= 1 steps, got " + steps);
            this.evalEvery = steps;
            this.eval = Objects.requireNonNull(batches, "batches");
            return this;
        }

        /**
         * Adds a history row every {@code steps} steps (default 1), besides those of evaluation
         * steps and the last step; a row's training loss is the mean since the previous row.
         *
         * @param steps steps between rows, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code steps < 1}
         */
        public Builder logEvery(long steps) {
            if (steps < 1) throw new IllegalArgumentException("StepTrainer: logEvery must be >= 1 steps, got " + steps);
            this.logEvery = steps;
            return this;
        }

        /**
         * Saves a resumable checkpoint ({@link #save}) to {@code file} every {@code steps} steps and
         * after the last step of each {@link #fit}, replacing the previous one atomically; parent
         * folders are created.
         *
         * @param steps steps between checkpoints, at least 1
         * @param file the checkpoint's weights file
         * @return this builder
         * @throws IllegalArgumentException if {@code steps < 1}
         */
        public Builder checkpointEvery(long steps, Path file) {
            if (steps < 1) throw new IllegalArgumentException("StepTrainer: checkpointEvery must be >= 1 steps, got " + steps);
            this.checkpointEvery = steps;
            this.checkpoint = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Adds a listener; listeners are called in the order added.
         *
         * @param listener called on every step and evaluation
         * @return this builder
         */
        public Builder listener(StepListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** {@return the configured trainer; applies the schedule's step-0 learning rates to the optimizer} */
        public StepTrainer build() {
            return new StepTrainer(this);
        }
    }
}
