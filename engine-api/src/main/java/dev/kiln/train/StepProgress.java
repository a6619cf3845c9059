package dev.kiln.train;

import java.io.Console;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Console progress of a {@link StepTrainer}: a bar redrawn in place on a terminal,
 * {@code step 1200/5000 [=======>                      ] loss 2.3456 lr 3.00e-04 12345 tok/s eta 4:10},
 * or the same figures as plain lines at most every {@code interval} for logs and pipes; and one
 * line per evaluation, {@code step 1250/5000: val loss 2.2100 ppl 9.12 (train loss 2.3012)}. The
 * loss shown is the mean over the steps since the last evaluation; the rate is that of the last step.
 * For command-line programs: it prints to the stream it is given.
 */
public final class StepProgress implements StepListener {
    private final PrintStream out;
    private final ConsoleLine line;
    private final long intervalNanos;
    private final LongSupplier nanos;
    private long startNanos, startStep, lastLine;
    private double lossSum;
    private long lossCount;

    /**
     * A live bar on a terminal ({@code System.console()} reports one), else plain lines every 10
     * seconds, on {@code System.out}.
     *
     * @return a listener for one trainer
     */
    public static StepProgress forConsole() {
        Console c = System.console();
        return c != null && c.isTerminal() ? new StepProgress(System.out) : new StepProgress(System.out, Duration.ofSeconds(10));
    }

    /**
     * A bar redrawn in place on {@code out}, a terminal.
     *
     * @param out the terminal's stream
     */
    public StepProgress(PrintStream out) {
        this(out, -1, System::nanoTime);
    }

    /**
     * Plain lines on {@code out}, one at most every {@code interval} (evaluation lines always).
     *
     * @param out the stream printed to
     * @param interval the least time between two progress lines
     * @throws IllegalArgumentException if {@code interval} is negative
     */
    public StepProgress(PrintStream out, Duration interval) {
        this(out, checked(interval).toNanos(), System::nanoTime);
    }

    /** With an explicit clock (tests); a negative interval draws a live bar. */
    StepProgress(PrintStream out, long intervalNanos, LongSupplier nanos) {
        this.out = Objects.requireNonNull(out, "out");
        this.line = intervalNanos < 0 ? new ConsoleLine(out, nanos) : null;
        this.intervalNanos = intervalNanos;
        this.nanos = nanos;
    }

    private static Duration checked(Duration interval) {
        if (interval.isNegative()) throw new IllegalArgumentException("StepProgress: interval must not be negative, got " + interval);
        return interval;
    }

    @Override
    public void onTrainStart(StepTrainer trainer) {
        startNanos = lastLine = nanos.getAsLong();
        startStep = trainer.step();
        lossSum = 0;
        lossCount = 0;
    }

    @Override
    public void onStep(StepTrainer trainer, StepUpdate u) {
        lossSum += u.loss();
        lossCount++;
        boolean last = u.step() == u.totalSteps();
        String figures = String.format(Locale.ROOT, "loss %.4f lr %.2e %.0f tok/s eta %s", lossSum / lossCount, u.lr(), u.tokensPerSecond(),
                Progress.clock(eta(u)));
        String position = "step " + u.step() + "/" + u.totalSteps();
        if (line != null) {
            if (line.due(last)) line.draw(position + " [" + ConsoleLine.bar(u.step(), u.totalSteps()) + "] " + figures);
            return;
        }
        long now = nanos.getAsLong();
        if (now - lastLine < intervalNanos && !last) return;
        lastLine = now;
        println(position + " " + figures);
    }

    /** Seconds left at this call's pace so far. */
    private double eta(StepUpdate u) {
        long done = u.step() - startStep;
        return done <= 0 ? 0 : (nanos.getAsLong() - startNanos) / 1e9 / done * (u.totalSteps() - u.step());
    }

    @Override
    public void onEvaluation(StepTrainer trainer, StepEvaluation e) {
        String train = lossCount == 0 ? "" : String.format(Locale.ROOT, " (train loss %.4f)", lossSum / lossCount);
        String text = String.format(Locale.ROOT, "step %d/%d: val loss %.4f ppl %.2f", e.step(), trainer.targetSteps(), e.loss(), e.perplexity())
                + train;
        if (line != null) line.println(text);
        else println(text);
        lossSum = 0;
        lossCount = 0;
    }

    @Override
    public void onTrainEnd(StepTrainer trainer) {
        if (line != null) line.finish();
    }

    private void println(String text) {
        out.println(text);
        out.flush();
    }
}
