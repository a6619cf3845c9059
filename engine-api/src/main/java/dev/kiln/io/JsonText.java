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
        if (text == null) throw new IllegalArgumentException("JSON: text must not be null");
        try {
            return Json.parse(text);
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
