package dev.kiln.io;

/** A strict load whose file and target disagree; {@link #result()} says how, and nothing was copied. */
public final class StateMismatchException extends IllegalArgumentException {
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
        if (!r.missing().isEmpty()) sb.append("missing keys ").append(r.missing());
        if (!r.unexpected().isEmpty()) sb.append(sb.isEmpty() ? "" : "; ").append("unexpected keys ").append(r.unexpected());
        if (!r.mismatched().isEmpty()) sb.append(sb.isEmpty() ? "" : "; ").append("shape/dtype mismatches ").append(r.mismatched());
        return sb.toString();
    }

    /** {@return the comparison of file and target} */
    public LoadResult result() {
        return result;
    }
}
