package dev.kiln.internal;

/**
 * Short excerpts of outside text for error messages: a hostile header can hold megabytes in one
 * name or number, a command line or a nested message can be of any length, and a message must stay
 * readable (and cheap) whatever the input.
 */
public final class Excerpt {
    /** Longest excerpt {@link #of(Object)} keeps, in characters. */
    public static final int MAX_CHARS = 40;

    private Excerpt() {}

    /**
     * {@link #of(Object, int) of(value, MAX_CHARS)}: enough for a name or a number.
     *
     * @param value any value, or null
     * @return its text, shortened to {@link #MAX_CHARS} characters
     */
    public static String of(Object value) {
        return of(value, MAX_CHARS);
    }

    /**
     * {@code String.valueOf(value)} when at most {@code maxChars} characters long, otherwise its
     * first {@code maxChars} characters, "..." and the full length; control characters are shown
     * as {@code \\uXXXX} so a message stays on one line.
     *
     * @param value    any value, or null
     * @param maxChars how many characters of it to keep, at least 0
     * @return the excerpt
     * @throws IllegalArgumentException if {@code maxChars} is negative
     */
    public static String of(Object value, int maxChars) {
        if (maxChars < 0) throw new IllegalArgumentException("Excerpt: maxChars must be >= 0, got " + maxChars);
        String s = String.valueOf(value);
        int keep = Math.min(s.length(), maxChars);
        StringBuilder sb = new StringBuilder(keep + 24);
        for (int i = 0; i < keep; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        if (s.length() > keep) sb.append("...(").append(s.length()).append(" chars)");
        return sb.toString();
    }
}
