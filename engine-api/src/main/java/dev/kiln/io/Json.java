package dev.kiln.io;

import dev.kiln.internal.Excerpt;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) reader and string writer for safetensors headers, so that
 * engine-api needs nothing beyond the JDK. Objects become {@code LinkedHashMap<String, Object>}
 * (duplicate keys rejected), arrays {@code List<Object>}, integers {@code Long} (or
 * {@code BigInteger} when too large), other numbers {@code Double}, plus String, Boolean and null.
 *
 * <p>Limits keep a hostile header (up to {@link SafeTensorsHeader#MAX_HEADER_BYTES}) from costing
 * more than linear time and a small multiple of its size in memory: nesting depth (the stack),
 * number length (converting an n-digit integer costs time quadratic in n), and array length (a
 * safetensors header only holds shapes and offsets, yet each element costs a boxed object).
 * Error messages quote at most {@link Excerpt#MAX_CHARS} characters of the input.
 */
final class Json {
    static final int MAX_DEPTH = 64;
    /** Longest number accepted, in characters (a long needs 20, a double's shortest form 24). */
    static final int MAX_NUMBER_CHARS = 100;
    /** Most elements in one array (tensor ranks are far smaller). */
    static final int MAX_ARRAY_ELEMENTS = 4096;

    /** A syntax error, with the character position where it was found. */
    static final class ParseException extends Exception {
        ParseException(String message, int position) {
            super(message + " at character " + position);
        }
    }

    private final String s;
    private final int maxArrayElements;
    private int pos;

    private Json(String s, int maxArrayElements) {
        this.s = s;
        this.maxArrayElements = maxArrayElements;
    }

    /** Parses one JSON value; only whitespace may follow it. */
    static Object parse(String text) throws ParseException {
        return parse(text, MAX_ARRAY_ELEMENTS);
    }

    /** Parses one JSON value with arrays of at most {@code maxArrayElements}; only whitespace may follow it. */
    static Object parse(String text, int maxArrayElements) throws ParseException {
        Json p = new Json(text, maxArrayElements);
        p.skipWs();
        Object v = p.value(0);
        p.skipWs();
        if (p.pos != text.length()) throw p.error("unexpected '" + text.charAt(p.pos) + "' after the end of the JSON value");
        return v;
    }

    private ParseException error(String message) {
        return new ParseException(message, pos);
    }

    private void skipWs() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    private Object value(int depth) throws ParseException {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels");
        if (pos >= s.length()) throw error("unexpected end of JSON");
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Object literal(String word, Object v) throws ParseException {
        if (!s.startsWith(word, pos)) throw error("invalid literal");
        pos += word.length();
        return v;
    }

    private Map<String, Object> object(int depth) throws ParseException {
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
            int keyPos = pos;
            String key = string();
            skipWs();
            expect(':');
            skipWs();
            Object v = value(depth + 1);
            if (m.containsKey(key)) throw new ParseException("duplicate key \"" + Excerpt.of(key) + "\"", keyPos);
            m.put(key, v);
            skipWs();
            if (pos >= s.length()) throw error("unterminated object");
            char c = s.charAt(pos++);
            if (c == '}') return m;
            if (c != ',') throw new ParseException("expected ',' or '}' in object", pos - 1);
        }
    }

    private List<Object> array(int depth) throws ParseException {
        List<Object> list = new ArrayList<>();
        pos++;
        skipWs();
        if (pos < s.length() && s.charAt(pos) == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipWs();
            if (list.size() == maxArrayElements) throw error("array longer than " + maxArrayElements + " elements");
            list.add(value(depth + 1));
            skipWs();
            if (pos >= s.length()) throw error("unterminated array");
            char c = s.charAt(pos++);
            if (c == ']') return list;
            if (c != ',') throw new ParseException("expected ',' or ']' in array", pos - 1);
        }
    }

    private void expect(char c) throws ParseException {
        if (pos >= s.length() || s.charAt(pos) != c) throw error("expected '" + c + "'");
        pos++;
    }

    private String string() throws ParseException {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= s.length()) throw error("unterminated string");
            char c = s.charAt(pos++);
            if (c == '"') return sb.toString();
            if (c < 0x20) throw new ParseException("control character in string", pos - 1);
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
                default -> throw new ParseException("invalid escape '\\" + e + "'", pos - 1);
            }
        }
    }

    private Object number() throws ParseException {
        int start = pos;
        if (scanNumber() - start > MAX_NUMBER_CHARS) throw error("number longer than " + MAX_NUMBER_CHARS + " characters");
        return convert(start);
    }

    /** The end of the number-like run at {@code pos} ('-', '+', '.', 'e', 'E' and digits), without moving {@code pos}; linear, so length is checked before any conversion. */
    private int scanNumber() {
        int i = pos;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (!(isDigit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) break;
            i++;
        }
        return i;
    }

    /** Parses a number of bounded length at {@code start} strictly (RFC 8259 grammar). */
    private Object convert(int start) throws ParseException {
        if (s.charAt(pos) == '-') pos++;
        if (pos >= s.length() || !isDigit(s.charAt(pos))) throw error("expected a digit");
        if (s.charAt(pos) == '0') {
            pos++;
        } else {
            while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
        }
        boolean integer = true;
        if (pos < s.length() && s.charAt(pos) == '.') {
            integer = false;
            pos++;
            if (pos >= s.length() || !isDigit(s.charAt(pos))) throw error("expected a digit after '.'");
            while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
        }
        if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
            integer = false;
            pos++;
            if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) pos++;
            if (pos >= s.length() || !isDigit(s.charAt(pos))) throw error("expected a digit in the exponent");
            while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
        }
        String text = s.substring(start, pos);
        if (!integer) return Double.parseDouble(text);
        BigInteger big = new BigInteger(text);
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Appends {@code value} as a JSON string literal (quotes, backslashes and control characters escaped). */
    static void writeString(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }
}
