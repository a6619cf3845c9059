package dev.kiln.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * One benchmark's repeated measurements: what was run ({@code bench}, e.g. "train"), by whom
 * ({@code framework}: "kiln", "pytorch", "openblas"), on which backend, for which configuration
 * ("batch 64", "1024x1024x1024"), in which unit, with the value of every repeat.
 */
public record Sample(String bench, String framework, String backend, String config, String unit, double[] values, String detail) {
    /** The median of the repeats (the upper middle one for an even count). */
    public double median() {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s[s.length / 2];
    }

    /** The smallest repeat. */
    public double min() {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    /** The largest repeat. */
    public double max() {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    /** One JSON object (a line of {@code --out}). */
    public String toJson() {
        StringBuilder v = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) v.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.2f", values[i]));
        v.append(']');
        return String.format(Locale.ROOT,
                "{\"bench\":\"%s\",\"framework\":\"%s\",\"backend\":\"%s\",\"config\":\"%s\",\"unit\":\"%s\",\"median\":%.2f,\"min\":%.2f,\"max\":%.2f,\"values\":%s,\"detail\":\"%s\"}",
                bench, framework, backend, config, unit, median(), min(), max(), v, detail.replace("\\", "/").replace("\"", "'"));
    }
}
