package dev.kiln.tensor;

import java.util.Objects;

/**
 * Where a tensor's storage lives: the host ({@code cpu}) or an accelerator ({@code cuda:0}).
 *
 * @param type  backend family, lower case ("cpu", "cuda")
 * @param index device ordinal within the family (0 for the host)
 */
public record Device(String type, int index) {
    /** The host. */
    public static final Device CPU = new Device("cpu", 0);

    /**
     * Checks the fields.
     *
     * @throws NullPointerException if {@code type} is null
     * @throws IllegalArgumentException if {@code index} is negative
     */
    public Device {
        Objects.requireNonNull(type, "type");
        if (index < 0) throw new IllegalArgumentException("device index must be >= 0, got " + index);
    }

    /**
     * {@return the CUDA device with the given ordinal}
     *
     * @param index the device ordinal, from 0
     */
    public static Device cuda(int index) {
        return new Device("cuda", index);
    }

    /**
     * Parses "cpu", "cuda" or "cuda:1".
     *
     * @param text {@code cpu}, {@code cuda} or {@code cuda:N}, any case, surrounding blanks ignored
     * @return the device
     * @throws NumberFormatException if the part after the colon is not a number
     * @throws IllegalArgumentException if the ordinal is negative
     */
    public static Device parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        int colon = t.indexOf(':');
        if (colon < 0) return new Device(t, 0);
        return new Device(t.substring(0, colon), Integer.parseInt(t.substring(colon + 1)));
    }

    @Override
    public String toString() {
        return type.equals("cpu") ? "cpu" : type + ":" + index;
    }
}
