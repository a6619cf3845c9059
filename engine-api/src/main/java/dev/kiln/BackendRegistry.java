package dev.kiln;

import dev.kiln.spi.Backend;
import dev.kiln.spi.BackendProvider;
import dev.kiln.spi.ProbeResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/** Finds providers with ServiceLoader, probes each once, and picks the default backend. */
final class BackendRegistry {
    private static final System.Logger LOG = System.getLogger("dev.kiln");

    private List<ProbeResult> results;
    private Backend chosen;
    private String explicitName;

    synchronized List<ProbeResult> probeAll() {
        if (results == null) {
            List<BackendProvider> providers = new ArrayList<>();
            ServiceLoader.load(BackendProvider.class, BackendRegistry.class.getClassLoader()).forEach(providers::add);
            providers.sort(Comparator.comparingInt(BackendProvider::rank).reversed());
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

    synchronized ProbeResult find(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (ProbeResult r : probeAll()) if (r.name().equals(n)) return r;
        List<String> names = probeAll().stream().map(ProbeResult::name).toList();
        return ProbeResult.unavailable(n, "no backend named '" + n + "' on the class path (found " + names
                + "); add the engine-" + n + " jar");
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
        if (chosen == null) throw new IllegalStateException("no Kiln backend is available" + skipped);
        LOG.log(System.Logger.Level.INFO, "Kiln: using " + chosen.name() + " (" + chosen.description() + ")" + skipped);
        return chosen;
    }
}
