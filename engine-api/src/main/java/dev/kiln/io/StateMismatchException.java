package dev.kiln.io;

import dev.kiln.internal.Excerpt;

import java.util.List;

/** A strict load whose file and target disagree; {@link #result()} says how, and nothing was copied. */
public final class StateMismatchException extends IllegalArgumentException {
    /** Entries named per list in the message. */
    private static final int LISTED = 10;

    private final transient LoadResult result;

    /**
     * A mismatch between a file and its target.
     *
     * @param file the file name, for the message
     * @param result the comparison, kept for {@link #result()}
     */
    public StateMismatchException(String file, LoadResult result) {
        super(file + " does not match the target: " + describe(result)
                + " (load non-strictly to copy only the matching tensors)");
        this.result = result;
    }

    private static String describe(LoadResult r) {
        StringBuilder sb = new StringBuilder();
        if (!r.missing().isEmpty()) sb.append("missing keys ").append(list(r.missing(), false));
        if (!r.unexpected().isEmpty()) sb.append(sb.isEmpty() ? "" : "; ").append("unexpected keys ").append(list(r.unexpected(), true));
        if (!r.mismatched().isEmpty()) sb.append(sb.isEmpty() ? "" : "; ").append("shape/dtype mismatches ").append(list(r.mismatched(), false));
        return sb.toString();
    }

    /**
     * The first {@link #LISTED} entries ({@link #result()} has them all), names from the file
     * ({@code fromFile}) shortened: a hostile file can hold any number of keys of any length.
     */
    private static String list(List<String> entries, boolean fromFile) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Math.min(entries.size(), LISTED); i++) {
            sb.append(i == 0 ? "" : ", ").append(fromFile ? Excerpt.of(entries.get(i)) : entries.get(i));
        }
        if (entries.size() > LISTED) sb.append(", and ").append(entries.size() - LISTED).append(" more");
        return sb.append(']').toString();
    }

    /** {@return the comparison of file and target} */
    public LoadResult result() {
        return result;
    }
}
