package dev.kiln.cuda.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Finds the NVIDIA libraries at run time by soname, so one jar works with CUDA 12 and 13: each
 * {@link Library} lists its sonames in order of preference, tried first through the dynamic
 * loader's search path ({@code LD_LIBRARY_PATH}, ldconfig) and then as files under
 * {@code $KILN_CUDA_LIBRARY_PATH} (colon-separated), {@code $CUDA_HOME/lib64} and
 * {@code $CUDA_PATH/lib64}. libcuda is opened first and asked for the CUDA version the driver
 * supports, which decides whether cuBLAS 12 or 13 is tried first (a CUDA 12 driver cannot run
 * cuBLAS 13). Every attempt and the versions found are recorded for {@code ./kiln doctor} and for
 * the reasons a probe gives.
 *
 * <p>Loading happens once, on the first {@link #get()}, except for the optional NVRTC, opened on
 * the first {@link #nvrtc(int)}; the libraries stay loaded for the life of the JVM.
 */
public final class NativeLibraries {

    /** The libraries Kiln binds. */
    public enum Library {
        /** The CUDA driver API (installed with the NVIDIA driver, not the toolkit). */
        CUDA("libcuda.so.1"),
        /**
         * cuBLAS; its companion libcublasLt is loaded first from the same place when found by path.
         * Tried in the order {@link #sonamesFor(int)} gives for the driver's version.
         */
        CUBLAS("libcublas.so.13", "libcublas.so.12"),
        /** cuDNN 9 (the shim that still exports the legacy API). */
        CUDNN("libcudnn.so.9"),
        /**
         * NVRTC, the run-time compiler of the kernels' fallback: optional, opened only by
         * {@link NativeLibraries#nvrtc(int)}, in the order {@link #sonamesFor(int)} gives.
         */
        NVRTC("libnvrtc.so.13", "libnvrtc.so.12");

        private final List<String> sonames;

        Library(String... sonames) {
            this.sonames = List.of(sonames);
        }

        /** Sonames in the declared order of preference (before the driver's version reorders them). */
        public List<String> sonames() {
            return sonames;
        }

        /** Whether the CUDA backend needs it at all; the others are opened when first needed. */
        public boolean required() {
            return this != NVRTC;
        }

        /**
         * The sonames to try for a driver supporting CUDA {@code driverVersion} (e.g. 12080): first the
         * major versions the driver can run, newest first (a cuBLAS or NVRTC newer than the driver
         * opens but then fails), then the rest, newest first. With an unknown version (0) this is the
         * declared order.
         */
        public List<String> sonamesFor(int driverVersion) {
            int driverMajor = driverVersion / 1000;
            List<String> runnable = new ArrayList<>(), newer = new ArrayList<>();
            for (String soname : sonames) {
                (major(soname) <= driverMajor ? runnable : newer).add(soname);
            }
            runnable.addAll(newer);
            return runnable;
        }

        private static int major(String soname) {
            return Integer.parseInt(soname.substring(soname.lastIndexOf('.') + 1));
        }

        /** A version as {@link VersionReader} encodes it for this library, for people ("12.8", "9.5.0"). */
        String formatVersion(int v) {
            return switch (this) {
                case CUDA, NVRTC -> v / 1000 + "." + v % 1000 / 10;
                case CUBLAS, CUDNN -> v / 10000 + "." + v / 100 % 100 + "." + v % 100;
            };
        }
    }

    /**
     * Reads the version of a library just opened, without {@code cuInit} or a handle; 0 when it
     * cannot tell. Encodings: driver and NVRTC {@code major*1000 + minor*10}, cuBLAS and cuDNN
     * {@code major*10000 + minor*100 + patch}.
     */
    @FunctionalInterface
    interface VersionReader {
        /** The version of {@code lib} opened as {@code lookup}, or 0. */
        int read(Library lib, SymbolLookup lookup);
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
    private final Function<String, SymbolLookup> byName;
    private final Function<Path, SymbolLookup> byPath;
    private final List<Path> directories;
    private final VersionReader versions;
    private final Map<Library, Integer> versionOf = new EnumMap<>(Library.class);
    private boolean nvrtcTried;

    NativeLibraries(Function<String, SymbolLookup> byName, Function<Path, SymbolLookup> byPath, List<Path> directories) {
        this(byName, byPath, directories, LibraryVersions::read);
    }

    /**
     * Opens the required libraries in enum order; libcuda comes first so that its version picks the
     * cuBLAS soname ({@link Library#sonamesFor}).
     */
    NativeLibraries(Function<String, SymbolLookup> byName, Function<Path, SymbolLookup> byPath, List<Path> directories,
                    VersionReader versions) {
        this.byName = byName;
        this.byPath = byPath;
        this.directories = List.copyOf(directories);
        this.versions = versions;
        String denied = null;
        for (Library lib : Library.values()) {
            if (!lib.required()) continue;
            try {
                load(lib, lib.sonamesFor(driverVersion().orElse(0)));
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

    /**
     * NVRTC's symbols, opening it on the first call with the sonames ordered for a driver that
     * supports CUDA {@code driverVersion} ({@link Library#sonamesFor}); empty when none opens (the
     * attempts say why) or native access is denied.
     */
    public synchronized Optional<SymbolLookup> nvrtc(int driverVersion) {
        if (!nvrtcTried) {
            nvrtcTried = true;
            try {
                load(Library.NVRTC, Library.NVRTC.sonamesFor(driverVersion));
            } catch (IllegalCallerException e) {
                attempts.add(new Attempt(Library.NVRTC, Library.NVRTC.sonames().getFirst(), false, nativeAccessFix()));
            }
        }
        return lookup(Library.NVRTC);
    }

    private void load(Library lib, List<String> sonames) {
        for (String soname : sonames) {
            if (tryOpen(lib, soname, () -> byName.apply(soname))) return;
        }
        for (String soname : sonames) {
            for (Path dir : directories) {
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
                if (lib == Library.NVRTC) {
                    // libnvrtc dlopens libnvrtc-builtins.so.<major>.<minor> by soname; open it first so it is found.
                    builtinsBeside(file).ifPresent(b -> tryOpen(null, b.toString(), () -> byPath.apply(b)));
                }
                if (tryOpen(lib, file.toString(), () -> byPath.apply(file))) return;
            }
        }
    }

    /** The {@code libnvrtc-builtins.so.<major>.*} beside {@code libnvrtc} (the newest if several), or empty. */
    static Optional<Path> builtinsBeside(Path nvrtc) {
        String major = nvrtc.getFileName().toString().substring("libnvrtc.so.".length());
        String prefix = "libnvrtc-builtins.so." + major + ".";
        try (Stream<Path> files = Files.list(nvrtc.getParent())) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix))
                    .max(Comparator.comparingInt(f -> minor(f.getFileName().toString().substring(prefix.length()))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int minor(String suffix) {
        try {
            return Integer.parseInt(suffix);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private boolean tryOpen(Library lib, String candidate, java.util.function.Supplier<SymbolLookup> open) {
        try {
            SymbolLookup lookup = open.get();
            if (lib != null) {
                lookups.put(lib, lookup);
                loadedFrom.put(lib, candidate);
                attempts.add(new Attempt(lib, candidate, true, null));
                int v = versions.read(lib, lookup);
                if (v > 0) versionOf.put(lib, v);
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

    /**
     * The CUDA version the driver supports ({@code cuDriverGetVersion}, e.g. 12080 for 12.8), read
     * when libcuda opened; empty when libcuda did not open or could not say.
     */
    public OptionalInt driverVersion() {
        Integer v = versionOf.get(Library.CUDA);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }

    /** The version of a loaded library for people ("12.8", "12.6.4", "9.5.0"), or empty when unknown. */
    public Optional<String> version(Library lib) {
        return Optional.ofNullable(versionOf.get(lib)).map(lib::formatVersion);
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

    /**
     * The text a user acts on when native access is denied: the option names this module on the
     * module path and ALL-UNNAMED on the class path.
     */
    public static String nativeAccessFix() {
        Module self = NativeLibraries.class.getModule();
        return "native access is disabled for Kiln's CUDA bindings; run java with --enable-native-access="
                + (self.isNamed() ? self.getName() : "ALL-UNNAMED") + " (the ./kiln launcher adds it) or set KILN_BACKEND=cpu";
    }

    /** What was tried and found, one line per library (for {@code ./kiln doctor}). */
    public String report() {
        StringBuilder sb = new StringBuilder();
        if (nativeAccessError != null) sb.append("native access: ").append(nativeAccessFix()).append('\n');
        for (Library lib : Library.values()) {
            if (!lib.required() && attempts(lib).isEmpty()) {
                sb.append(lib.sonames().getFirst()).append(": not opened (needed only when kiln.fatbin cannot be used)\n");
                continue;
            }
            sb.append(lib.sonames().getFirst()).append(": ")
                    .append(loadedFrom(lib).map(s -> "loaded from " + s).orElse("not found"))
                    .append(version(lib).map(v -> lib == Library.CUDA ? ", driver supports CUDA " + v : ", version " + v).orElse(""))
                    .append(" (tried ").append(attempts(lib)).append(")\n");
        }
        return sb.toString();
    }
}
