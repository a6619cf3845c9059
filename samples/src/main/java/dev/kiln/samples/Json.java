package dev.kiln.samples;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes maps, lists, strings, numbers, booleans and null as indented JSON (NaN and infinities as null). */
final class Json {
    private Json() {}

    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, "");
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object v, String indent) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> string(sb, s);
            case Boolean b -> sb.append(b);
            case Double d when !Double.isFinite(d) -> sb.append("null");
            case Float f when !Float.isFinite(f) -> sb.append("null");
            case Double d -> sb.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? String.format(Locale.ROOT, "%.1f", d) : Double.toString(d));
            case Number n -> sb.append(n);
            case Map<?, ?> m -> container(sb, '{', '}', m.entrySet().iterator(), indent, true);
            case List<?> l -> {
                boolean flat = l.stream().noneMatch(x -> x instanceof Map || x instanceof List);
                if (flat) {
                    sb.append('[');
                    for (int i = 0; i < l.size(); i++) {
                        if (i > 0) sb.append(", ");
                        write(sb, l.get(i), indent);
                    }
                    sb.append(']');
                } else {
                    container(sb, '[', ']', l.iterator(), indent, false);
                }
            }
            default -> throw new IllegalArgumentException("Json: cannot write " + v.getClass().getName());
        }
    }

    private static void container(StringBuilder sb, char open, char close, Iterator<?> it, String indent, boolean object) {
        sb.append(open);
        if (!it.hasNext()) {
            sb.append(close);
            return;
        }
        String inner = indent + "  ";
        while (it.hasNext()) {
            sb.append('\n').append(inner);
            if (object) {
                Map.Entry<?, ?> e = (Map.Entry<?, ?>) it.next();
                string(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), inner);
            } else {
                write(sb, it.next(), inner);
            }
            if (it.hasNext()) sb.append(',');
        }
        sb.append('\n').append(indent).append(close);
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    /** Convenience for building ordered objects: {@code obj("a", 1, "b", 2)}. */
    static Map<String, Object> obj(Object... keyValues) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }

    /** An unmodifiable list, allowing nulls. */
    static List<Object> list(Object... values) {
        return java.util.Collections.unmodifiableList(java.util.Arrays.asList(values));
    }
}
