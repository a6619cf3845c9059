package dev.kiln.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One cold run's per-step timeline, as {@code ./kiln bench cold} and the DJL peer's
 * {@code DjlTrain --timeline} print it (one JSON line, the same keys on both sides): each step's
 * end in nanoseconds after the first step's start, the wall-clock instant of that start (epoch
 * microseconds, so that a parent which noted when it launched the process can add the JVM's
 * start-up) and the time the child itself saw from JVM start to the first step.
 *
 * @param framework who ran it ("kiln", "djl")
 * @param bench "train" or "infer"
 * @param batch images per step
 * @param engine the engine's description (backend, threads, versions)
 * @param jvmStartToFirstStepMs from the JVM's start (as the runtime MXBean records it) to the first step's start
 * @param firstStepEpochUs the first step's start, microseconds since the epoch
 * @param stepEndNs for each step, its end in ns after the first step's start (non-decreasing)
 * @param firstLoss the first step's loss (train) or logits sum (infer)
 * @param lastLoss the last step's
 */
public record Timeline(String framework, String bench, int batch, String engine, double jvmStartToFirstStepMs, long firstStepEpochUs,
                       long[] stepEndNs, double firstLoss, double lastLoss) {

    /** Checks the steps: at least one, non-decreasing ends. */
    public Timeline {
        if (stepEndNs.length == 0) throw new IllegalArgumentException("timeline of " + framework + ": expected at least one step, found none");
        for (int i = 1; i < stepEndNs.length; i++) {
            if (stepEndNs[i] < stepEndNs[i - 1]) {
                throw new IllegalArgumentException("timeline of " + framework + ": step ends must not decrease, found " + stepEndNs[i - 1] + " then " + stepEndNs[i] + " at step " + i);
            }
        }
    }

    /** Number of steps. */
    public int steps() {
        return stepEndNs.length;
    }

    /** Step {@code i}'s own duration in ms. */
    public double stepMs(int i) {
        return (stepEndNs[i] - (i == 0 ? 0 : stepEndNs[i - 1])) / 1e6;
    }

    /** Time from the first step's start to the end of step {@code n} (1-based: the first {@code n} steps), ms. */
    public double firstStepsMs(int n) {
        if (n < 1 || n > stepEndNs.length) throw new IllegalArgumentException("timeline: first " + n + " steps asked, the run has " + stepEndNs.length);
        return stepEndNs[n - 1] / 1e6;
    }

    /** The whole loop, ms. */
    public double loopMs() {
        return firstStepsMs(stepEndNs.length);
    }

    /** Median duration of the steps after the first {@code skip} (the warm part), ms. */
    public double warmMedianMs(int skip) {
        double[] d = new double[warmCount(skip)];
        for (int i = 0; i < d.length; i++) d[i] = stepMs(skip + i);
        return median(d);
    }

    /** Mean duration of the steps after the first {@code skip}, ms. */
    public double warmMeanMs(int skip) {
        int n = warmCount(skip);
        return (stepEndNs[stepEndNs.length - 1] - (skip == 0 ? 0 : stepEndNs[skip - 1])) / 1e6 / n;
    }

    private int warmCount(int skip) {
        if (skip < 0 || skip >= stepEndNs.length) throw new IllegalArgumentException("timeline: " + skip + " warm-up steps leave no step of " + stepEndNs.length);
        return stepEndNs.length - skip;
    }

    /** The median: the middle value, or the mean of the two middle ones for an even count. */
    public static double median(double[] v) {
        if (v.length == 0) throw new IllegalArgumentException("median of no values");
        double[] s = v.clone();
        Arrays.sort(s);
        int h = s.length / 2;
        return s.length % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2;
    }

    /** This timeline as one JSON line, the shape {@link #parse} reads and {@code DjlTrain --timeline} prints. */
    public String toJson(int threads) {
        StringBuilder ends = new StringBuilder();
        for (int i = 0; i < stepEndNs.length; i++) ends.append(i == 0 ? "" : ",").append(stepEndNs[i]);
        return String.format(Locale.ROOT,
                "{\"bench\": \"%s\", \"framework\": \"%s\", \"engine\": \"%s\", \"backend\": \"cpu\", \"threads\": %d, \"batch\": %d, \"steps\": %d, "
                        + "\"timeline\": true, \"jvm_start_to_first_step_ms\": %.1f, \"first_step_epoch_us\": %d, \"step_end_ns\": [%s], "
                        + "\"first_loss\": %.5f, \"last_loss\": %.5f}",
                bench, framework, engine.replace("\"", "'"), threads, batch, stepEndNs.length, jvmStartToFirstStepMs, firstStepEpochUs, ends,
                firstLoss, lastLoss);
    }

    /**
     * Reads one timeline JSON line (keys as {@link #toJson} writes them; others are ignored).
     *
     * @throws IllegalArgumentException naming the missing key when the line is not a timeline
     */
    public static Timeline parse(String line) {
        String[] ends = field(line, "step_end_ns").replaceAll("[\\[\\]\\s]", "").split(",");
        long[] e = new long[ends.length];
        for (int i = 0; i < e.length; i++) e[i] = Long.parseLong(ends[i]);
        return new Timeline(unquote(field(line, "framework")), unquote(field(line, "bench")), Integer.parseInt(field(line, "batch")),
                unquote(field(line, "engine")), Double.parseDouble(field(line, "jvm_start_to_first_step_ms")),
                Long.parseLong(field(line, "first_step_epoch_us")), e, Double.parseDouble(field(line, "first_loss")),
                Double.parseDouble(field(line, "last_loss")));
    }

    /** The raw value of {@code "key": value} (a quoted string, a [list] or a bare number). */
    private static String field(String line, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*(\"[^\"]*\"|\\[[^\\]]*\\]|[^,}\\s]+)").matcher(line);
        if (!m.find()) throw new IllegalArgumentException("timeline: expected key \"" + key + "\" in " + (line.length() > 200 ? line.substring(0, 200) + "..." : line));
        return m.group(1);
    }

    private static String unquote(String s) {
        return s.startsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }
}
