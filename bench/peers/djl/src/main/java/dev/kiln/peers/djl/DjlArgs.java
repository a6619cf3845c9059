package dev.kiln.peers.djl;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code --name value} options of the DJL sequence peers, with the torch peers' names and defaults,
 * and the libtorch thread setup. The threads go to libtorch through DJL's system properties
 * ({@code ai.djl.pytorch.num_threads}, {@code ai.djl.pytorch.num_interop_threads}), which DJL reads
 * once when the PyTorch engine loads: so {@link #startEngine} must run before any other DJL call.
 */
final class DjlArgs {
    private final String command;
    private final Map<String, String> values = new HashMap<>();

    private DjlArgs(String command) {
        this.command = command;
    }

    /** Parses {@code --name value} pairs; {@code command} names the peer in error messages. */
    static DjlArgs parse(String command, String[] args) {
        DjlArgs a = new DjlArgs(command);
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException(command + ": expected an option --name value, found '" + args[i] + "'");
            if (i + 1 >= args.length) throw new IllegalArgumentException(command + ": option " + args[i] + " needs a value");
            a.values.put(args[i].substring(2), args[++i]);
        }
        return a;
    }

    /** The option's text, or {@code def} when absent. */
    String text(String name, String def) {
        return values.getOrDefault(name, def);
    }

    /** The option as an int, or {@code def} when absent. */
    int integer(String name, int def) {
        String v = values.get(name);
        if (v == null) return def;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": --" + name + " expects an integer, found '" + v + "'", e);
        }
    }

    /** The option as a double, or {@code def} when absent. */
    double real(String name, double def) {
        String v = values.get(name);
        if (v == null) return def;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": --" + name + " expects a number, found '" + v + "'", e);
        }
    }

    /**
     * Sets libtorch's intra-op threads from {@code --threads} (default 2, as the torch peers) and its
     * inter-op threads from {@code --interop-threads} (default 1), unless the system properties were
     * given on the command line, loads the engine with the seed, and checks that libtorch took both
     * thread counts. Returns the intra-op threads libtorch reports.
     */
    int startEngine(int seed) {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(integer("threads", 2)));
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", String.valueOf(integer("interop-threads", 1)));
        }
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed(seed);
        int wanted = Integer.getInteger("ai.djl.pytorch.num_threads"), got = JniUtils.getNumThreads();
        if (got != wanted) throw new IllegalStateException(command + ": asked libtorch for " + wanted + " intra-op threads, it reports " + got);
        int wantedInterop = Integer.getInteger("ai.djl.pytorch.num_interop_threads"), gotInterop = JniUtils.getNumInteropThreads();
        if (gotInterop != wantedInterop) {
            throw new IllegalStateException(command + ": asked libtorch for " + wantedInterop + " inter-op threads, it reports " + gotInterop);
        }
        return got;
    }

    /** "libtorch 2.7.1 (DJL 0.35.1)": the engine label every DJL peer prints. */
    static String engineLabel() {
        return "libtorch " + Engine.getEngine("PyTorch").getVersion() + " (DJL " + Engine.getDjlVersion() + ")";
    }
}
