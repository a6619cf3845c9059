package dev.kiln.io;

/**
 * Short excerpts of file-supplied text for error messages: a hostile header can hold megabytes in
 * one name or number, and a message must stay readable (and cheap) whatever the input.
 */
final class Excerpt {
    /** Longest excerpt kept, in characters. */
    static final int MAX_CHARS = 40;

    private Excerpt() {}

    /**
     * {@code String.valueOf(value)} when at most {@link #MAX_CHARS} characters long, otherwise its
     * first {@link #MAX_CHARS} characters, "..." and the full length; control characters are shown
     * as {@code \\uXXXX} so a message stays on one line.
     */
    static String of(Object value) {
        String s = String.valueOf(value);
        int keep = Math.min(s.length(), MAX_CHARS);
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
