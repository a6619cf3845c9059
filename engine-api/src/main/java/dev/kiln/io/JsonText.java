package dev.kiln.io;

/**
 * The strict JSON reader and string quoting that Kiln uses for safetensors headers, for small
 * configuration documents saved beside or inside checkpoints (a model's configuration, a
 * tokenizer). Objects read as {@code Map<String, Object>} in document order, arrays as
 * {@code List<Object>}, integers as {@code Long} (or {@code BigInteger} when too large), other
 * numbers as {@code Double}, plus {@code String}, {@code Boolean} and null. The reader's limits
 * (nesting depth 64, numbers of at most 100 characters, arrays of at most 4096 elements) keep a
 * hostile document cheap to reject.
 */
public final class JsonText {
    private JsonText() {}

    /**
     * Parses one JSON value; only whitespace may follow it.
     *
     * @param text the document
     * @return the value, typed as described above
     * @throws IllegalArgumentException naming the problem and its character position, if
     *                                  {@code text} is not valid JSON or exceeds a limit
     */
    public static Object parse(String text) {
        return parse(text, Json.MAX_ARRAY_ELEMENTS);
    }

    /**
     * As {@link #parse(String)}, with arrays of up to {@code maxArrayElements} elements (documents
     * with long lists, such as a tokenizer's merges).
     *
     * @param text the document
     * @param maxArrayElements the most elements one array may hold
     * @return the value, typed as described above
     * @throws IllegalArgumentException naming the problem and its character position, if
     *                                  {@code text} is not valid JSON or exceeds a limit
     */
    public static Object parse(String text, int maxArrayElements) {
        if (text == null) throw new IllegalArgumentException("JSON: text must not be null");
        if (maxArrayElements < 1) throw new IllegalArgumentException("JSON: maxArrayElements must be at least 1, got " + maxArrayElements);
        try {
            return Json.parse(text, maxArrayElements);
        } catch (Json.ParseException e) {
            throw new IllegalArgumentException("JSON: " + e.getMessage(), e);
        }
    }

    /**
     * {@return {@code value} as a JSON string literal, quotes included (quotes, backslashes and
     * control characters escaped)}
     *
     * @param value the string to quote
     */
    public static String quote(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 2);
        Json.writeString(sb, value);
        return sb.toString();
    }
}
