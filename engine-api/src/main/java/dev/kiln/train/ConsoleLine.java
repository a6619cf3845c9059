package dev.kiln.train;

import java.io.PrintStream;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A status line redrawn in place (carriage return) at most ten times a second, padded over what
 * it replaces: the drawing that {@link ProgressBar} and {@link StepProgress} share.
 */
final class ConsoleLine {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final LongSupplier nanos;
    private long lastDraw = Long.MIN_VALUE;
    private int drawnLength;

    ConsoleLine(PrintStream out, LongSupplier nanos) {
        this.out = Objects.requireNonNull(out, "out");
        this.nanos = nanos;
    }

    /** Whether to redraw now: always for the first drawing or when {@code force}, else a tenth of a second after the last. */
    boolean due(boolean force) {
        long now = nanos.getAsLong();
        if (!force && lastDraw != Long.MIN_VALUE && now - lastDraw < REDRAW_NANOS) return false;
        lastDraw = now;
        return true;
    }

    /** {@code =========>          }: {@code done} of {@code total} as a bar of fixed width. */
    static String bar(long done, long total) {
        int filled = (int) (WIDTH * done / Math.max(1, total));
        return "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
    }

    /** Replaces the line in place. */
    void draw(String line) {
        int pad = Math.max(0, drawnLength - line.length());
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
        drawnLength = line.length();
    }

    /** Draws {@code line} over the current one and ends it, so that it stays; the next drawing starts a new line. */
    void println(String line) {
        draw(line);
        out.println();
        out.flush();
        drawnLength = 0;
        lastDraw = Long.MIN_VALUE;
    }

    /** Ends a line left in progress (e.g. a run stopped mid-epoch). */
    void finish() {
        if (drawnLength > 0) {
            out.println();
            out.flush();
            drawnLength = 0;
        }
    }
}
