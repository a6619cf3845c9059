package dev.kiln;

import dev.kiln.internal.Excerpt;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BackendProvider;
import dev.kiln.spi.ProbeResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/** Finds providers with ServiceLoader, probes each once, and picks the default backend. */
final class BackendRegistry {
    private static final System.Logger LOG = System.getLogger("dev.kiln");

    /** The Maven coordinates of Kiln's backends, by backend name, for the hints in errors. */
    static final String CPU_ARTIFACT = "dev.kiln:engine-cpu", CUDA_ARTIFACT = "dev.kiln:engine-cuda";

    private List<BackendProvider> providers;
    private List<ProbeResult> results;
    private Backend chosen;
    private String explicitName;

    synchronized List<ProbeResult> probeAll() {
        if (results == null) {
            List<BackendProvider> found = new ArrayList<>();
            ServiceLoader.load(BackendProvider.class, BackendRegistry.class.getClassLoader()).forEach(found::add);
            found.sort(Comparator.comparingInt(BackendProvider::rank).reversed());
            providers = List.copyOf(found);
            List<ProbeResult> r = new ArrayList<>();
            for (BackendProvider p : providers) {
                try {
                    r.add(p.probe());
                } catch (RuntimeException | LinkageError e) {
                    r.add(ProbeResult.unavailable(p.name(), "probe failed: " + e));
                }
            }
            results = List.copyOf(r);
        }
        return results;
    }

    /** Each provider's {@link BackendProvider#diagnostics()} by name, after probing; a failing one reports its exception. */
    synchronized Map<String, List<String>> diagnostics() {
        probeAll();
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (BackendProvider p : providers) {
            try {
                out.put(p.name(), List.copyOf(p.diagnostics()));
            } catch (RuntimeException | LinkageError e) {
                out.put(p.name(), List.of("diagnostics failed: " + e));
            }
        }
        return out;
    }

    /**
     * Where backends are looked for, for messages: {@code dev.kiln} is a named module only when
     * the application runs on the module path (on the class path it is the unnamed module).
     */
    static String searchPath(boolean modulePath) {
        return modulePath ? "on the module path" : "on the class path";
    }

    /** {@link #searchPath(boolean)} for how this JVM loaded engine-api. */
    private static String searchPath() {
        return searchPath(BackendRegistry.class.getModule().isNamed());
    }

    synchronized ProbeResult find(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (ProbeResult r : probeAll()) if (r.name().equals(n)) return r;
        List<String> names = probeAll().stream().map(ProbeResult::name).toList();
        return ProbeResult.unavailable(n, "no backend named '" + Excerpt.of(n) + "' " + searchPath() + " (found " + names + "); "
                + switch (n) {
                    case "cpu" -> "add the dependency " + CPU_ARTIFACT;
                    case "cuda" -> "add the dependency " + CUDA_ARTIFACT;
                    default -> "Kiln's backends are " + CPU_ARTIFACT + " and " + CUDA_ARTIFACT;
                });
    }

    /**
     * Why no backend could be chosen: each probe's reason, and the dependency to add when the CPU
     * backend, which runs everywhere, is not on the class or module path.
     */
    static String noBackendMessage(List<ProbeResult> results) {
        return noBackendMessage(results, BackendRegistry.class.getModule().isNamed());
    }

    /** {@link #noBackendMessage(List)} as worded for the module path or for the class path. */
    static String noBackendMessage(List<ProbeResult> results, boolean modulePath) {
        StringBuilder sb = new StringBuilder("no Kiln backend is available");
        if (results.isEmpty()) sb.append(": none is ").append(searchPath(modulePath));
        for (ProbeResult r : results) sb.append("; ").append(r.name()).append(" unavailable: ").append(r.reason());
        if (results.stream().noneMatch(r -> r.name().equals("cpu"))) {
            sb.append("; add the dependency ").append(CPU_ARTIFACT).append(" (runs on any machine)")
                    .append(results.stream().anyMatch(r -> r.name().equals("cuda")) ? "" : " and, for NVIDIA GPUs, " + CUDA_ARTIFACT);
        }
        return sb.toString();
    }

    synchronized void select(String name) {
        explicitName = name;
        chosen = null;
    }

    synchronized Backend defaultBackend() {
        if (chosen != null) return chosen;
        String source;
        String name = explicitName;
        if (name != null) {
            source = "Kiln.useBackend";
        } else if (System.getProperty("kiln.backend") != null && !System.getProperty("kiln.backend").isBlank()) {
            name = System.getProperty("kiln.backend");
            source = "-Dkiln.backend";
        } else if (System.getenv("KILN_BACKEND") != null && !System.getenv("KILN_BACKEND").isBlank()) {
            name = System.getenv("KILN_BACKEND");
            source = "KILN_BACKEND";
        } else {
            source = null;
        }
        if (name != null) {
            ProbeResult r = find(name);
            if (!r.available()) {
                throw new IllegalStateException("backend '" + r.name() + "' was requested (" + source + ") but is unavailable: " + r.reason());
            }
            chosen = r.backend();
            LOG.log(System.Logger.Level.INFO, "Kiln: using " + chosen.name() + " (" + chosen.description() + "), requested by " + source);
            return chosen;
        }
        StringBuilder skipped = new StringBuilder();
        for (ProbeResult r : probeAll()) {
            if (r.available() && chosen == null) {
                chosen = r.backend();
            } else if (!r.available()) {
                skipped.append("; ").append(r.name()).append(" unavailable: ").append(r.reason());
            }
        }
        if (chosen == null) throw new IllegalStateException(noBackendMessage(probeAll()));
        LOG.log(System.Logger.Level.INFO, "Kiln: using " + chosen.name() + " (" + chosen.description() + ")" + skipped);
        return chosen;
    }
}
