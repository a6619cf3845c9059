package dev.kiln.cuda.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds the NVIDIA libraries at run time by soname, so one jar works with CUDA 12 and 13: each
 * {@link Library} lists its sonames in order of preference, tried first through the dynamic
 * loader's search path ({@code LD_LIBRARY_PATH}, ldconfig) and then as files under
 * {@code $KILN_CUDA_LIBRARY_PATH} (colon-separated), {@code $CUDA_HOME/lib64} and
 * {@code $CUDA_PATH/lib64}. Every attempt is recorded for {@code ./kiln doctor} and for the
 * reasons a probe gives.
 *
 * <p>Loading happens once, on the first {@link #get()}; the libraries stay loaded for the life of
 * the JVM.
 */
public final class NativeLibraries {

    /** The libraries Kiln binds. */
    public enum Library {
        /** The CUDA driver API (installed with the NVIDIA driver, not the toolkit). */
        CUDA("libcuda.so.1"),
        /** cuBLAS; its companion libcublasLt is loaded first from the same place when found by path. */
        CUBLAS("libcublas.so.13", "libcublas.so.12"),
        /** cuDNN 9 (the shim that still exports the legacy API). */
        CUDNN("libcudnn.so.9");

        private final List<String> sonames;

        Library(String... sonames) {
            this.sonames = List.of(sonames);
        }

        /** Sonames in the order they are tried. */
        public List<String> sonames() {
            return sonames;
        }
    }

    /**
     * One attempt to open a library.
     *
     * @param library   which library it was for
     * @param candidate soname or absolute path tried
     * @param loaded    whether it opened
     * @param detail    the loader's complaint when it did not
     */
    public record Attempt(Library library, String candidate, boolean loaded, String detail) {
        @Override
        public String toString() {
            return candidate + (loaded ? ": loaded" : ": " + detail);
        }
    }

    private static NativeLibraries instance;

    private final Map<Library, SymbolLookup> lookups = new EnumMap<>(Library.class);
    private final Map<Library, String> loadedFrom = new EnumMap<>(Library.class);
    private final List<Attempt> attempts = new ArrayList<>();
    private final String nativeAccessError;

    NativeLibraries(Function<String, SymbolLookup> byName, Function<Path, SymbolLookup> byPath, List<Path> directories) {
        String denied = null;
        for (Library lib : Library.values()) {
            try {
                load(lib, byName, byPath, directories);
            } catch (IllegalCallerException e) {
                denied = e.getMessage();
                break;
            }
        }
        this.nativeAccessError = denied;
    }

    /** The process-wide result, loading on first use. Never throws. */
    @SuppressWarnings("restricted") // the point of this class: IllegalCallerException is caught and reported
    public static synchronized NativeLibraries get() {
        if (instance == null) {
            Arena global = Arena.global();
            instance = new NativeLibraries(name -> SymbolLookup.libraryLookup(name, global),
                    path -> SymbolLookup.libraryLookup(path, global), directoriesFromEnvironment(System.getenv()));
        }
        return instance;
    }

    /** Extra directories searched after the loader path, from the environment (see class doc). */
    static List<Path> directoriesFromEnvironment(Map<String, String> env) {
        List<Path> dirs = new ArrayList<>();
        String extra = env.get("KILN_CUDA_LIBRARY_PATH");
        if (extra != null) {
            for (String d : extra.split(":")) if (!d.isBlank()) dirs.add(Path.of(d));
        }
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = env.get(var);
            if (home != null && !home.isBlank()) {
                Path lib64 = Path.of(home, "lib64");
                if (!dirs.contains(lib64)) dirs.add(lib64);
            }
        }
        return dirs;
    }

    private void load(Library lib, Function<String, SymbolLookup> byName, Function<Path, SymbolLookup> byPath, List<Path> dirs) {
        for (String soname : lib.sonames()) {
            if (tryOpen(lib, soname, () -> byName.apply(soname))) return;
        }
        for (String soname : lib.sonames()) {
            for (Path dir : dirs) {
                Path file = dir.resolve(soname);
                if (!Files.exists(file)) {
                    attempts.add(new Attempt(lib, file.toString(), false, "no such file"));
                    continue;
                }
                if (lib == Library.CUBLAS) {
                    // libcublas needs libcublasLt of the same version; open it first so the loader finds it by soname.
                    Path lt = dir.resolve(soname.replace("libcublas.", "libcublasLt."));
                    if (Files.exists(lt)) tryOpen(null, lt.toString(), () -> byPath.apply(lt));
                }
                if (tryOpen(lib, file.toString(), () -> byPath.apply(file))) return;
            }
        }
    }

    private boolean tryOpen(Library lib, String candidate, java.util.function.Supplier<SymbolLookup> open) {
        try {
            SymbolLookup lookup = open.get();
            if (lib != null) {
                lookups.put(lib, lookup);
                loadedFrom.put(lib, candidate);
                attempts.add(new Attempt(lib, candidate, true, null));
            }
            return true;
        } catch (IllegalArgumentException e) {
            if (lib != null) attempts.add(new Attempt(lib, candidate, false, e.getMessage() == null ? "cannot be opened" : e.getMessage()));
            return false;
        }
    }

    /** The symbols of {@code lib}, or empty when it was not found. */
    public Optional<SymbolLookup> lookup(Library lib) {
        return Optional.ofNullable(lookups.get(lib));
    }

    /** The soname or path {@code lib} was loaded from, or empty. */
    public Optional<String> loadedFrom(Library lib) {
        return Optional.ofNullable(loadedFrom.get(lib));
    }

    /** Every attempt in order. */
    public List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    /** Attempts for one library. */
    public List<Attempt> attempts(Library lib) {
        return attempts.stream().filter(a -> a.library() == lib).toList();
    }

    /** The JDK's message when native access is denied (run without {@code --enable-native-access}), or empty. */
    public Optional<String> nativeAccessError() {
        return Optional.ofNullable(nativeAccessError);
    }

    /** The text a user acts on when native access is denied. */
    public static String nativeAccessFix() {
        return "native access is disabled for Kiln's CUDA bindings; run java with --enable-native-access=ALL-UNNAMED "
                + "(the ./kiln launcher adds it) or set KILN_BACKEND=cpu";
    }

    /** What was tried and found, one line per library (for {@code ./kiln doctor}). */
    public String report() {
        StringBuilder sb = new StringBuilder();
        if (nativeAccessError != null) sb.append("native access: ").append(nativeAccessFix()).append('\n');
        for (Library lib : Library.values()) {
            sb.append(lib.sonames().getFirst()).append(": ")
                    .append(loadedFrom(lib).map(s -> "loaded from " + s).orElse("not found"))
                    .append(" (tried ").append(attempts(lib)).append(")\n");
        }
        return sb.toString();
    }
}
