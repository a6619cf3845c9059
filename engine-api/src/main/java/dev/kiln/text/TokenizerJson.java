package dev.kiln.text;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small JSON subset tokenizer files use: objects, arrays, strings, integers, booleans and null
 * (no fractions). Objects become {@code LinkedHashMap<String, Object>}, arrays {@code List<Object>},
 * integers {@code Long}. A strict recursive reader (depth-limited) plus helpers for the writers;
 * kept here because dev.kiln.io's reader is internal to that package and limits array lengths to
 * what safetensors headers need, far below a merge list's.
 */
final class TokenizerJson {
    private static final int MAX_DEPTH = 16;
    private final String s;
    private int pos;

    private TokenizerJson(String s) {
        this.s = s;
    }

    /**
     * Parses one JSON value.
     *
     * @param text the whole document
     * @return the value
     * @throws IllegalArgumentException naming the character position on a syntax error
     */
    static Object parse(String text) {
        TokenizerJson p = new TokenizerJson(text);
        p.skipWs();
        Object v = p.value(0);
        p.skipWs();
        if (p.pos != text.length()) throw p.error("text after the end of the JSON value");
        return v;
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException("invalid JSON: " + message + " at character " + pos);
    }

    private void skipWs() {
        while (pos < s.length() && " \t\n\r".indexOf(s.charAt(pos)) >= 0) pos++;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
        if (pos >= s.length()) throw error("unexpected end");
        char c = s.charAt(pos);
        if (c == '{') return object(depth);
        if (c == '[') return array(depth);
        if (c == '"') return string();
        if (c == '-' || (c >= '0' && c <= '9')) return integer();
        for (String word : new String[] {"true", "false", "null"}) {
            if (s.startsWith(word, pos)) {
                pos += word.length();
                return word.equals("null") ? null : Boolean.valueOf(word);
            }
        }
        throw error("unexpected character '" + c + "'");
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        pos++;
        skipWs();
        if (pos < s.length() && s.charAt(pos) == '}') {
            pos++;
            return m;
        }
        while (true) {
            skipWs();
            if (pos >= s.length() || s.charAt(pos) != '"') throw error("expected a string key");
            String key = string();
            skipWs();
            expect(':');
            skipWs();
            if (m.containsKey(key)) throw error("duplicate key \"" + key + "\"");
            m.put(key, value(depth + 1));
            skipWs();
            if (pos < s.length() && s.charAt(pos) == ',') {
                pos++;
                continue;
            }
            expect('}');
            return m;
        }
    }

    private List<Object> array(int depth) {
        List<Object> list = new ArrayList<>();
        pos++;
        skipWs();
        if (pos < s.length() && s.charAt(pos) == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipWs();
            list.add(value(depth + 1));
            skipWs();
            if (pos < s.length() && s.charAt(pos) == ',') {
                pos++;
                continue;
            }
            expect(']');
            return list;
        }
    }

    private void expect(char c) {
        if (pos >= s.length() || s.charAt(pos) != c) throw error("expected '" + c + "'");
        pos++;
    }

    private Long integer() {
        int start = pos;
        if (s.charAt(pos) == '-') pos++;
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') pos++;
        if (pos < s.length() && ".eE".indexOf(s.charAt(pos)) >= 0) throw error("only integers are expected");
        if (pos - start > 18 || pos == start || (pos == start + 1 && s.charAt(start) == '-')) throw error("bad integer");
        return Long.parseLong(s.substring(start, pos));
    }

    private String string() {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= s.length()) throw error("unterminated string");
            char c = s.charAt(pos++);
            if (c == '"') return sb.toString();
            if (c < 0x20) throw error("control character in string");
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= s.length()) throw error("unterminated escape");
            char e = s.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) throw error("truncated \\u escape");
                    int v = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(s.charAt(pos++), 16);
                        if (d < 0) throw error("bad hex digit in \\u escape");
                        v = v * 16 + d;
                    }
                    sb.append((char) v);
                }
                default -> throw error("invalid escape '\\" + e + "'");
            }
        }
    }

    /**
     * Appends {@code value} as a JSON string literal.
     *
     * @param out where to append
     * @param value the string
     */
    static void writeString(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c)) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
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
