package dev.kiln.train;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Plain progress lines for logs and pipes: one line at most every {@code interval}
 * ({@code epoch 1/5 batch 300/938 loss 0.2101 acc 93.41% 652 img/s eta 0:58}) and one summary
 * line per epoch.
 */
public final class ProgressLog implements TrainingListener {
    private final PrintStream out;
    private final long intervalNanos;
    private final LongSupplier nanos;
    private long lastLine;

    /**
     * Writes to {@code out}, a progress line at most every {@code interval}.
     *
     * @param out where the lines go
     * @param interval the least time between two lines
     */
    public ProgressLog(PrintStream out, Duration interval) {
        this(out, interval, System::nanoTime);
    }

    /** With an explicit clock (tests). */
    ProgressLog(PrintStream out, Duration interval, LongSupplier nanos) {
        this.out = Objects.requireNonNull(out, "out");
        if (interval.isNegative()) throw new IllegalArgumentException("ProgressLog: interval must be >= 0, got " + interval);
        this.intervalNanos = interval.toNanos();
        this.nanos = nanos;
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
        out.println("epoch " + Progress.epochOf(trainer, s.epoch()) + " batch " + (s.batch() + 1) + "/" + s.batches() + " "
                + Progress.running(s));
        out.flush();
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult result) {
        out.println(Progress.epochLine(trainer, result));
        out.flush();
    }
}
