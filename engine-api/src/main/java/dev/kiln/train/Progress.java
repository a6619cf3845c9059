package dev.kiln.train;

import java.io.Console;
import java.time.Duration;
import java.util.Locale;

/**
 * Progress display for a {@link Trainer}: {@link #forLog()} for applications and services (lines
 * through {@link System.Logger}), {@link #forConsole()} for command-line programs (a live bar on a
 * terminal, plain lines otherwise, on {@code System.out}). A trainer shows nothing unless one is
 * added as a listener.
 */
public final class Progress {
    private Progress() {}

    /**
     * For command-line programs only, as it writes to {@code System.out}: a {@link ProgressBar}
     * when the process is attached to a terminal ({@code System.console()} reports one), else a
     * {@link ProgressLog} printing a line every 10 seconds.
     *
     * @return a listener that reports progress on the console
     */
    public static TrainingListener forConsole() {
        Console c = System.console();
        return c != null && c.isTerminal() ? new ProgressBar(System.out) : new ProgressLog(System.out, Duration.ofSeconds(10));
    }

    /**
     * A {@link ProgressLog} logging through the {@code System.Logger} {@code dev.kiln.train.ProgressLog} at
     * {@code INFO}: a progress line every 10 seconds and one summary line per epoch.
     *
     * @return a new listener for one trainer
     */
    public static TrainingListener forLog() {
        return new ProgressLog(Duration.ofSeconds(10));
    }

    /** "1/5": the 1-based epoch and the target. */
    static String epochOf(Trainer trainer, int epoch) {
        return (epoch + 1) + "/" + trainer.targetEpochs();
    }

    /** The running figures of a step: {@code loss 0.2101 acc 93.41% 652 img/s eta 0:58} (other metrics by name). */
    static String running(StepResult s) {
        double perBatch = s.epochSeconds() / (s.batch() + 1);
        String eta = clock((s.batches() - s.batch() - 1) * perBatch);
        return String.format(Locale.ROOT, "loss %.4f", s.epochLoss()) + EpochResult.figures(s.epochMetrics())
                + String.format(Locale.ROOT, " %.0f img/s eta %s", s.imagesPerSecond(), eta);
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour. */
    static String clock(double seconds) {
        long s = Math.round(Math.max(0, seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** The line printed when an epoch ends. */
    static String epochLine(Trainer trainer, EpochResult r) {
        return "epoch " + epochOf(trainer, r.epoch()) + ": " + r.describe(trainer.evalName());
    }
}
