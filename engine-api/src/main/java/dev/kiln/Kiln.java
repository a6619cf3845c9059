package dev.kiln;

import dev.kiln.autograd.GradMode;
import dev.kiln.spi.Backend;
import dev.kiln.spi.ProbeResult;
import dev.kiln.tensor.Device;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Scope;
import java.util.List;
import java.util.Map;

/**
 * Entry point: backend discovery and selection, scopes, grad mode and the default random
 * generator.
 *
 * <p>Selection: an explicit request wins ({@link #useBackend}, then {@code -Dkiln.backend},
 * then the {@code KILN_BACKEND} environment variable) and fails with the reason when that
 * backend is unavailable; otherwise the highest-ranked backend whose probe succeeds (CUDA, then
 * CPU), logged once with why the others were skipped.
 */
public final class Kiln {
    private static final BackendRegistry REGISTRY = new BackendRegistry();
    private static Generator generator = new Generator(0);

    private Kiln() {}

    /** Every backend on the class path with its probe result (probing each once). */
    public static List<ProbeResult> backends() {
        return REGISTRY.probeAll();
    }

    /**
     * What each backend's provider found on this machine (native libraries tried and loaded, their
     * versions), by backend name, for troubleshooting ({@code ./kiln doctor}); probes first.
     *
     * @return lines of text per backend name, in the order of {@link #backends()}
     */
    public static Map<String, List<String>> diagnostics() {
        return REGISTRY.diagnostics();
    }

    /** The default backend, chosen on first use. */
    public static Backend backend() {
        return REGISTRY.defaultBackend();
    }

    /**
     * The backend named {@code name} ("cpu", "cuda").
     *
     * @throws IllegalStateException with the probe's reason if it is unavailable
     */
    public static Backend backend(String name) {
        ProbeResult r = REGISTRY.find(name);
        if (!r.available()) throw new IllegalStateException("backend '" + r.name() + "' is unavailable: " + r.reason());
        return r.backend();
    }

    /** The backend computing on {@code device}. */
    public static Backend backend(Device device) {
        for (ProbeResult r : backends()) {
            if (r.available() && r.backend().device().equals(device)) return r.backend();
        }
        throw new IllegalStateException("no available backend for device " + device + ": " + backends());
    }

    /** Makes {@code name} the default backend (an explicit request: fails if unavailable). */
    public static Backend useBackend(String name) {
        REGISTRY.select(name);
        return backend();
    }

    /** Opens a scope that frees every tensor created in it on this thread, except kept ones. */
    public static Scope scope() {
        return Scope.open();
    }

    /** Disables gradient recording on this thread until the handle is closed. */
    public static GradMode.Restore noGrad() {
        return GradMode.disable();
    }

    /** Reseeds the default generator used by parameter initialisation and dropout. */
    public static synchronized void manualSeed(long seed) {
        generator = new Generator(seed);
    }

    /** The default generator (seed 0 unless {@link #manualSeed} was called). */
    public static synchronized Generator generator() {
        return generator;
    }
}
