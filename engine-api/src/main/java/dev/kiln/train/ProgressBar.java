package dev.kiln.train;

import java.io.PrintStream;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A progress bar redrawn in place (carriage return) at most ten times a second:
 * {@code epoch 2/5 [=========>          ] 480/938 loss 0.0412 acc 98.71% 652 img/s eta 0:41},
 * followed by one summary line per epoch. For terminals; see {@link ProgressLog} for logs.
 */
public final class ProgressBar implements TrainingListener {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final LongSupplier nanos;
    private long lastDraw = Long.MIN_VALUE;
    private int drawnLength;

    /**
     * Draws on {@code out}.
     *
     * @param out the terminal's stream
     */
    public ProgressBar(PrintStream out) {
        this(out, System::nanoTime);
    }

    /** With an explicit clock (tests). */
    ProgressBar(PrintStream out, LongSupplier nanos) {
        this.out = Objects.requireNonNull(out, "out");
        this.nanos = nanos;
    }

    @Override
    public void onStep(Trainer trainer, StepResult s) {
        long now = nanos.getAsLong();
        boolean last = s.batch() == s.batches() - 1;
        if (!last && lastDraw != Long.MIN_VALUE && now - lastDraw < REDRAW_NANOS) return;
        lastDraw = now;
        int done = s.batch() + 1;
        int filled = (int) ((long) WIDTH * done / s.batches());
        String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
        draw("epoch " + Progress.epochOf(trainer, s.epoch()) + " [" + bar + "] " + done + "/" + s.batches() + " " + Progress.running(s));
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult result) {
        draw(Progress.epochLine(trainer, result));
        out.println();
        out.flush();
        drawnLength = 0;
        lastDraw = Long.MIN_VALUE;
    }

    @Override
    public void onTrainEnd(Trainer trainer) {
        if (drawnLength > 0) { // stopped mid-epoch by a step budget: end the bar's line
            out.println();
            out.flush();
            drawnLength = 0;
        }
    }

    private void draw(String line) {
        int pad = Math.max(0, drawnLength - line.length());
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
        drawnLength = line.length();
    }
}
