package dev.kiln.text;

import dev.kiln.io.JsonText;
import java.util.List;
import java.util.Map;

/**
 * Reading and writing tokenizer files: Kiln's strict JSON reader ({@link JsonText}) with room for a
 * merge list, plus field accessors whose errors name the field.
 */
final class TokenizerJson {
    /** Most elements of one array: a merge list or a character vocabulary. */
    private static final int MAX_ARRAY_ELEMENTS = 1 << 20;

    private TokenizerJson() {}

    /**
     * Parses one JSON value.
     *
     * @param text the whole document
     * @return the value (objects as maps in document order, arrays as lists, integers as Long)
     * @throws IllegalArgumentException naming the character position on a syntax error
     */
    static Object parse(String text) {
        return JsonText.parse(text, MAX_ARRAY_ELEMENTS);
    }

    /**
     * Appends {@code value} as a JSON string literal.
     *
     * @param out where to append
     * @param value the string
     */
    static void writeString(StringBuilder out, String value) {
        out.append(JsonText.quote(value));
    }

    /**
     * {@return field {@code key} of {@code object} as a map}
     *
     * @param object a parsed object
     * @param key the field
     * @throws IllegalArgumentException if it is missing or not an object
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> object, String key) {
        if (!(object.get(key) instanceof Map<?, ?> m)) throw new IllegalArgumentException("field \"" + key + "\" must be an object");
        return (Map<String, Object>) m;
    }

    /**
     * {@return field {@code key} of {@code object} as a list}
     *
     * @param object a parsed object
     * @param key the field
     * @throws IllegalArgumentException if it is missing or not an array
     */
    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> object, String key) {
        if (!(object.get(key) instanceof List<?> l)) throw new IllegalArgumentException("field \"" + key + "\" must be an array");
        return (List<Object>) l;
    }

    /**
     * {@return {@code value} as an int in [lo, hi]}
     *
     * @param value a parsed value
     * @param what what it is, for the message
     * @param lo the smallest allowed
     * @param hi the largest allowed
     * @throws IllegalArgumentException if it is not an integer in range
     */
    static int integer(Object value, String what, long lo, long hi) {
        if (!(value instanceof Long l) || l < lo || l > hi) {
            throw new IllegalArgumentException(what + " must be an integer in [" + lo + ", " + hi + "], got " + value);
        }
        return (int) (long) l;
    }
}
