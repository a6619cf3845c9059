package dev.kiln.peers.djl;

import java.util.Locale;

/**
 * One JSON object on one line, written the way Python's {@code json.dumps} writes it
 * ({@code "key": value}, {@code ", "} between members), so that Kiln's {@code Peers} reads the DJL
 * peers' lines with the patterns it uses for the torch peers'.
 */
final class DjlJson {
    private final StringBuilder out = new StringBuilder("{");

    /** Adds a string member. */
    DjlJson text(String key, String value) {
        return raw(key, "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }

    /** Adds a number member (integers without a fraction). */
    DjlJson number(String key, double value) {
        return raw(key, format(value));
    }

    /** Adds an array of numbers, each rounded to {@code decimals} places. */
    DjlJson numbers(String key, double[] values, int decimals) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) b.append(", ");
            b.append(format(round(values[i], decimals)));
        }
        return raw(key, b.append(']').toString());
    }

    /** Adds a member whose value is already JSON. */
    DjlJson raw(String key, String json) {
        if (out.length() > 1) out.append(", ");
        out.append('"').append(key).append("\": ").append(json);
        return this;
    }

    /** The finished object. */
    @Override
    public String toString() {
        return out + "}";
    }

    /** {@code v} rounded half-up to {@code decimals} places, as Python's round does for these magnitudes. */
    static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }

    private static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return "NaN";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%s", v);
    }
}
