package dev.kiln.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Access to {@code kiln.fatbin}, the module image holding every kernel of {@link KernelNames}
 * (SASS for sm_75 to sm_120 and PTX for newer GPUs). The resource is absent when the kernels
 * module was built without nvcc.
 */
public final class Fatbin {
    /** Classpath resource name of the fatbin. */
    public static final String RESOURCE = "/dev/kiln/kernels/kiln.fatbin";

    private Fatbin() {}

    /**
     * The fatbin's bytes (for {@code cuModuleLoadData}), or empty when the build had no nvcc.
     *
     * @return the fatbin's bytes, or empty
     * @throws UncheckedIOException if the resource exists but cannot be read
     */
    public static Optional<byte[]> load() {
        try (InputStream in = Fatbin.class.getResourceAsStream(RESOURCE)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("kernels: cannot read " + RESOURCE, e);
        }
    }
}
