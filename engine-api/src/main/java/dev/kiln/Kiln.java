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
 *
 * <p>A first computation: tensors are created on the default backend and freed by the scope.
 * {@snippet class=dev.kiln.snippets.KilnSnippetsTest region=quick-start}
 *
 * <p>Inference without recording a graph:
 * {@snippet class=dev.kiln.snippets.KilnSnippetsTest region=no-grad}
 */
public final class Kiln {
    private static final BackendRegistry REGISTRY = new BackendRegistry();
    private static Generator generator = new Generator(0);

    private Kiln() {}

    /** {@return every backend on the class path with its probe result (probing each once)} */
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
     * @param name the provider's name
     * @return the started backend
     * @throws IllegalStateException with the probe's reason if it is unavailable
     */
    public static Backend backend(String name) {
        ProbeResult r = REGISTRY.find(name);
        if (!r.available()) throw new IllegalStateException("backend '" + r.name() + "' is unavailable: " + r.reason());
        return r.backend();
    }

    /**
     * {@return the backend computing on {@code device}}
     *
     * @param device the device, e.g. {@code Device.parse("cuda:0")}
     * @throws IllegalStateException listing the probe results if no available backend computes there
     */
    public static Backend backend(Device device) {
        for (ProbeResult r : backends()) {
            if (r.available() && r.backend().device().equals(device)) return r.backend();
        }
        throw new IllegalStateException("no available backend for device " + device + ": " + backends());
    }

    /**
     * Makes {@code name} the default backend (an explicit request: fails if unavailable).
     *
     * @param name the provider's name ("cpu", "cuda")
     * @return the new default backend
     * @throws IllegalStateException with the probe's reason if it is unavailable
     */
    public static Backend useBackend(String name) {
        REGISTRY.select(name);
        return backend();
    }

    /**
     * Opens a scope that frees every tensor created in it on this thread, except kept ones.
     *
     * @return the new innermost scope; close it (try-with-resources) to free its tensors
     */
    public static Scope scope() {
        return Scope.open();
    }

    /**
     * Disables gradient recording on this thread until the handle is closed.
     *
     * @return a handle that turns recording back on (if it was on) when closed
     */
    public static GradMode.Restore noGrad() {
        return GradMode.disable();
    }

    /**
     * Reseeds the default generator used by parameter initialisation and dropout.
     *
     * @param seed the new seed; the same seed gives the same initial weights and dropout masks
     */
    public static synchronized void manualSeed(long seed) {
        generator = new Generator(seed);
    }

    /** {@return the default generator (seed 0 unless {@link #manualSeed} was called)} */
    public static synchronized Generator generator() {
        return generator;
    }
}
