package dev.kiln.cuda.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The real {@link NativeLibraries.VersionReader}: asks a library just opened for its version with
 * calls that need neither {@code cuInit} nor a handle ({@code cuDriverGetVersion},
 * {@code cublasGetProperty}, {@code cudnnGetVersion}, {@code nvrtcVersion}). Binds its own handles
 * on the given lookup, because the raw classes ({@link CudaDriver}, ...) bind through
 * {@link NativeLibraries#get()}, which is still being built when this runs.
 */
final class LibraryVersions {
    private LibraryVersions() {}

    /** {@code MAJOR_VERSION}, {@code MINOR_VERSION}, {@code PATCH_LEVEL} of {@code libraryPropertyType}. */
    private static final int MAJOR = 0, MINOR = 1, PATCH = 2;

    /** The version of {@code lib} (encoded as {@link NativeLibraries.VersionReader} says), or 0; never throws. */
    static int read(NativeLibraries.Library lib, SymbolLookup lookup) {
        Downcalls d = new Downcalls(lib, Optional.of(lookup));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(JAVA_INT), b = arena.allocate(JAVA_INT), c = arena.allocate(JAVA_INT);
            switch (lib) {
                case CUDA -> {
                    MethodHandle h = d.handle("cuDriverGetVersion", JAVA_INT, ADDRESS);
                    return (int) h.invokeExact(a) == 0 ? a.get(JAVA_INT, 0) : 0;
                }
                case CUBLAS -> {
                    MethodHandle h = d.handle("cublasGetProperty", JAVA_INT, JAVA_INT, ADDRESS);
                    if ((int) h.invokeExact(MAJOR, a) != 0 || (int) h.invokeExact(MINOR, b) != 0 || (int) h.invokeExact(PATCH, c) != 0) {
                        return 0;
                    }
                    return a.get(JAVA_INT, 0) * 10000 + b.get(JAVA_INT, 0) * 100 + c.get(JAVA_INT, 0);
                }
                case CUDNN -> {
                    MethodHandle h = d.handle("cudnnGetVersion", JAVA_LONG);
                    return (int) (long) h.invokeExact();
                }
                case NVRTC -> {
                    MethodHandle h = d.handle("nvrtcVersion", JAVA_INT, ADDRESS, ADDRESS);
                    return (int) h.invokeExact(a, b) == 0 ? a.get(JAVA_INT, 0) * 1000 + b.get(JAVA_INT, 0) * 10 : 0;
                }
            }
            return 0;
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            // A missing symbol, denied native access or an odd library: the version stays unknown.
            return 0;
        }
    }
}
