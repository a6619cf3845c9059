package dev.kiln.train;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * A progress bar redrawn in place (carriage return) at most ten times a second:
 * {@code epoch 2/5 [=========>          ] 480/938 loss 0.0412 acc 98.71% 652 img/s eta 0:41},
 * followed by one summary line per epoch. For terminals; see {@link ProgressLog} for logs.
 */
public final class ProgressBar implements TrainingListener {
    private final ConsoleLine line;

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
        this.line = new ConsoleLine(out, nanos);
    }

    @Override
    public void onStep(Trainer trainer, StepResult s) {
        if (!line.due(s.batch() == s.batches() - 1)) return;
        int done = s.batch() + 1;
        line.draw("epoch " + Progress.epochOf(trainer, s.epoch()) + " [" + ConsoleLine.bar(done, s.batches()) + "] " + done + "/" + s.batches()
                + " " + Progress.running(s));
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult result) {
        line.println(Progress.epochLine(trainer, result));
    }

    @Override
    public void onTrainEnd(Trainer trainer) {
        line.finish(); // stopped mid-epoch by a step budget: end the bar's line
    }
}
