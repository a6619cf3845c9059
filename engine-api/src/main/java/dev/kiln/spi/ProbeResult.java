package dev.kiln.spi;

/**
 * The outcome of {@link BackendProvider#probe()}: a working backend, or the reason (cause and
 * fix, e.g. "libcudnn.so.9 not found on the library path; install cuDNN 9 or set KILN_BACKEND=cpu").
 *
 * @param name    the provider's name
 * @param backend the started backend, or null when unavailable
 * @param reason  why the backend is unavailable, or null when it is available
 */
public record ProbeResult(String name, Backend backend, String reason) {
    /**
     * A successful probe.
     *
     * @param backend the started backend
     * @return a result naming the backend
     */
    public static ProbeResult ok(Backend backend) {
        return new ProbeResult(backend.name(), backend, null);
    }

    /**
     * A failed probe.
     *
     * @param name   the provider's name
     * @param reason the cause and the fix, in one sentence a user can act on
     * @return a result without a backend
     */
    public static ProbeResult unavailable(String name, String reason) {
        return new ProbeResult(name, null, reason);
    }

    /** {@return true if the probe started a backend} */
    public boolean available() {
        return backend != null;
    }

    /** {@return one line: the name and either the backend's description or the reason} */
    @Override
    public String toString() {
        return available() ? name + ": available (" + backend.description() + ")" : name + ": unavailable: " + reason;
    }
}
