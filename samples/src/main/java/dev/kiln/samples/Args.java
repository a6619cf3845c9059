package dev.kiln.samples;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Command-line options of a sample: {@code --name value}, {@code --name=value}, and flags
 * ({@code --name} alone) declared with {@link #flag}. Every option must be declared with a help
 * line and a default shown in {@link #usage()}; unknown options and missing or malformed values
 * raise {@link UsageException} with the usage text.
 */
final class Args {
    /** A bad command line; the message says what is wrong and lists the options. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private record Option(String help, String defaultValue, boolean flag) {}

    /** Characters of a value echoed in a message: values can be arbitrarily long. */
    private static final int QUOTE = 40;

    private final String command;
    private final String summary;
    private final Map<String, Option> options = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();
    private final java.util.List<String> positionals = new java.util.ArrayList<>();
    private boolean acceptsPositionals;

    /** Options of {@code ./kiln <command>}, described by {@code summary}. */
    Args(String command, String summary) {
        this.command = command;
        this.summary = summary;
        flag("help", "print this help and exit");
        flag("verbose", "on an error, print its stack trace too");
    }

    /** The command's name, as in {@code ./kiln <command>}. */
    String command() {
        return command;
    }

    /** Declares {@code --name VALUE}; a null default means "not set unless given". */
    Args option(String name, String defaultValue, String help) {
        options.put(name, new Option(help, defaultValue, false));
        return this;
    }

    /** Declares a flag {@code --name} (off unless given). */
    Args flag(String name, String help) {
        options.put(name, new Option(help, null, true));
        return this;
    }

    /** Declares {@code --backend auto|cpu|cuda} (default auto), the backend choice of every sample; see {@link Setup#backend(Args)}. */
    Args backendOption() {
        return option("backend", "auto", "auto, cpu or cuda");
    }

    /** Accepts arguments that are not options (e.g. file names), kept in order in {@link #positionals()}. */
    Args positional() {
        acceptsPositionals = true;
        return this;
    }

    /** The non-option arguments, in order. */
    java.util.List<String> positionals() {
        return java.util.List.copyOf(positionals);
    }

    /** Reads {@code argv}. */
    Args parse(String[] argv) throws UsageException {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) {
                if (!acceptsPositionals) throw usage("unexpected argument '" + Failures.shorten(a, QUOTE) + "'");
                positionals.add(a);
                continue;
            }
            String name = a.substring(2), value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Option o = options.get(name);
            if (o == null) throw usage("unknown option --" + Failures.shorten(name, QUOTE));
            if (o.flag()) {
                if (value != null) throw usage("--" + name + " takes no value");
                value = "true";
            } else if (value == null) {
                if (i + 1 >= argv.length) throw usage("--" + name + " needs a value");
                value = argv[++i];
            }
            values.put(name, value);
        }
        return this;
    }

    /** True when {@code --help} was given. */
    boolean help() {
        return has("help");
    }

    /** True when the option was given on the command line (or is a set flag). */
    boolean has(String name) {
        return values.containsKey(name);
    }

    /** The value given, else the default (null when neither). */
    String string(String name) {
        Option o = options.get(name);
        if (o == null) throw new IllegalArgumentException("option --" + name + " was not declared");
        return values.getOrDefault(name, o.defaultValue());
    }

    /** An integer of at least {@code min}. */
    int integer(String name, int min) throws UsageException {
        return integer(name, min, Integer.MAX_VALUE);
    }

    /** An integer from {@code min} to {@code max}; values past the int range are refused as out of range, not wrapped. */
    int integer(String name, int min, int max) throws UsageException {
        String v = string(name);
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            if (v.matches("[+-]?\\d+")) throw usage("--" + name + " " + range(min, max) + ", got " + Failures.shorten(v, QUOTE));
            throw usage("--" + name + " must be an integer, got '" + Failures.shorten(v, QUOTE) + "'");
        }
        if (n < min || n > max) throw usage("--" + name + " " + range(min, max) + ", got " + n);
        return (int) n;
    }

    private static String range(int min, int max) {
        return max == Integer.MAX_VALUE ? "must be >= " + min : "must be between " + min + " and " + max;
    }

    /** Any long integer. */
    long longValue(String name) throws UsageException {
        String v = string(name);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw usage("--" + name + " must be an integer from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE + ", got '" + Failures.shorten(v, QUOTE) + "'");
        }
    }

    double positive(String name) throws UsageException {
        String v = string(name);
        try {
            double d = Double.parseDouble(v);
            if (!(d > 0) || Double.isInfinite(d)) throw usage("--" + name + " must be a positive number, got " + Failures.shorten(v, QUOTE));
            return d;
        } catch (NumberFormatException e) {
            throw usage("--" + name + " must be a number, got '" + Failures.shorten(v, QUOTE) + "'");
        }
    }

    /** The value as a path, or null when unset. */
    Path path(String name) {
        String v = string(name);
        return v == null ? null : Path.of(v);
    }

    /** One of {@code allowed}, case-insensitive, returned in lower case. */
    String choice(String name, String... allowed) throws UsageException {
        String v = string(name).toLowerCase(Locale.ROOT);
        for (String a : allowed) if (a.equals(v)) return v;
        throw usage("--" + name + " must be one of " + String.join(", ", allowed) + ", got '" + Failures.shorten(string(name), QUOTE) + "'");
    }

    UsageException usage(String problem) {
        return new UsageException(command + ": " + problem + "\n\n" + usage());
    }

    /** The help text: summary and one line per option with its default. */
    String usage() {
        StringBuilder sb = new StringBuilder("usage: ./kiln ").append(command).append(" [options]\n").append(summary).append("\n\noptions:\n");
        int w = 0;
        for (Map.Entry<String, Option> e : options.entrySet()) w = Math.max(w, label(e).length());
        for (Map.Entry<String, Option> e : options.entrySet()) {
            Option o = e.getValue();
            sb.append("  ").append(String.format("%-" + w + "s", label(e))).append("  ").append(o.help());
            if (o.defaultValue() != null) sb.append(" (default ").append(o.defaultValue()).append(')');
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String label(Map.Entry<String, Option> e) {
        return "--" + e.getKey() + (e.getValue().flag() ? "" : " VALUE");
    }
}
