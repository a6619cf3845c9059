package dev.kiln.spi;

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
}
