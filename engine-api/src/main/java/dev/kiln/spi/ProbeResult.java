package dev.kiln.spi;

/**
 * The outcome of {@link BackendProvider#probe()}: a working backend, or the reason (cause and
 * fix, e.g. "libcudnn.so.9 not found on the library path; install cuDNN 9 or set KILN_BACKEND=cpu").
 */
public record ProbeResult(String name, Backend backend, String reason) {
    public static ProbeResult ok(Backend backend) {
        return new ProbeResult(backend.name(), backend, null);
    }

    public static ProbeResult unavailable(String name, String reason) {
        return new ProbeResult(name, null, reason);
    }

    public boolean available() {
        return backend != null;
    }

    @Override
    public String toString() {
        return available() ? name + ": available (" + backend.description() + ")" : name + ": unavailable: " + reason;
    }
}
