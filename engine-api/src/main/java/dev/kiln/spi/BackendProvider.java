package dev.kiln.spi;

import java.util.List;

/**
 * Discovered with {@link java.util.ServiceLoader}. Constructing a provider must touch no
 * native code; {@link #probe()} loads libraries, runs a self-check and explains failure.
 */
public interface BackendProvider {
    /** {@return the name used for explicit selection ("cpu", "cuda")} */
    String name();

    /** {@return the preference when choosing automatically: higher wins (CUDA 100, CPU 0)} */
    int rank();

    /**
     * Starts the backend or reports why it cannot. Called at most once per provider by
     * {@code Kiln}; must not throw for a missing library or device (return
     * {@link ProbeResult#unavailable} with the reason instead).
     *
     * @return the started backend, or the reason it is unavailable
     */
    ProbeResult probe();

    /**
     * What this provider found on the machine, one line each (e.g. the native libraries tried and
     * loaded, and their versions), for {@code ./kiln doctor} and bug reports. Called after
     * {@link #probe()}; must not throw. None by default.
     *
     * @return lines of text, without line breaks
     */
    default List<String> diagnostics() {
        return List.of();
    }
}
