package dev.kiln.train;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Plain progress lines for logs and pipes: one line at most every {@code interval}
 * ({@code epoch 1/5 batch 300/938 loss 0.2101 acc 93.41% 652 img/s eta 0:58}) and one summary
 * line per epoch. By default the lines go to the {@link System.Logger} named after this class,
 * at {@code INFO}, so an application routes them wherever its logging goes; a stream can be
 * chosen instead for command-line programs.
 */
public final class ProgressLog implements TrainingListener {
    private static final System.Logger LOG = System.getLogger(ProgressLog.class.getName());

    private final Consumer<String> out;
    private final long intervalNanos;
    private final LongSupplier nanos;
    private long lastLine;

    /**
     * Logs through the {@code System.Logger} {@code dev.kiln.train.ProgressLog} at {@code INFO}, a progress line at
     * most every {@code interval}.
     *
     * @param interval the least time between two progress lines (epoch summaries are always logged)
     * @throws IllegalArgumentException if {@code interval} is negative
     */
    public ProgressLog(Duration interval) {
        this(line -> LOG.log(System.Logger.Level.INFO, line), interval, System::nanoTime);
    }

    /**
     * Prints to {@code out} (a command-line choice), a progress line at most every {@code interval}.
     *
     * @param out      the stream printed to
     * @param interval the least time between two progress lines (epoch summaries are always printed)
     * @throws IllegalArgumentException if {@code interval} is negative
     */
    public ProgressLog(PrintStream out, Duration interval) {
        this(printer(out), interval, System::nanoTime);
    }

    /** With an explicit sink and clock (tests). */
    ProgressLog(Consumer<String> out, Duration interval, LongSupplier nanos) {
        this.out = Objects.requireNonNull(out, "out");
        if (interval.isNegative()) throw new IllegalArgumentException("ProgressLog: interval must not be negative, got " + interval);
        this.intervalNanos = interval.toNanos();
        this.nanos = nanos;
    }

    /** With an explicit stream and clock (tests). */
    ProgressLog(PrintStream out, Duration interval, LongSupplier nanos) {
        this(printer(out), interval, nanos);
    }

    private static Consumer<String> printer(PrintStream out) {
        Objects.requireNonNull(out, "out");
        return line -> {
            out.println(line);
            out.flush();
        };
    }

    @Override
    public void onEpochStart(Trainer trainer, int epoch, int batches) {
        lastLine = nanos.getAsLong();
    }

    @Override
    public void onStep(Trainer trainer, StepResult s) {
        long now = nanos.getAsLong();
        if (now - lastLine < intervalNanos || s.batch() == s.batches() - 1) return;
        lastLine = now;
        out.accept("epoch " + Progress.epochOf(trainer, s.epoch()) + " batch " + (s.batch() + 1) + "/" + s.batches() + " "
                + Progress.running(s));
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult result) {
        out.accept(Progress.epochLine(trainer, result));
    }
}
