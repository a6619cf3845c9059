package dev.kiln.cuda.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NVRTC's compiled kernels by (sources hash, target architecture, NVRTC version, options): in
 * memory for the life of the JVM, and on disk when a directory is configured, so a second process
 * skips the compilation. Disk entries are written to a temporary file and moved into place
 * atomically, and carry the SHA-256 of their content, so a partial or damaged file is never used;
 * a cache that cannot be read or written is skipped, never an error.
 */
public final class CompiledKernelCache {
    private static final CompiledKernelCache SHARED = new CompiledKernelCache(directory(System.getProperties(), System.getenv()));
    private static final int HASH_BYTES = 32;

    /**
     * What an image was compiled from.
     *
     * @param sourcesSha256 {@link dev.kiln.kernels.KernelSources#sha256()}
     * @param target        e.g. {@code sm_90} (cubin) or {@code compute_90} (PTX)
     * @param nvrtcVersion  e.g. {@code 13.0}
     * @param options       the other compiler options
     */
    public record Key(String sourcesSha256, String target, String nvrtcVersion, List<String> options) {
        /** Copies the options. */
        public Key {
            options = List.copyOf(options);
        }

        /** A file name for this key: the target, readable, and a hash of everything. */
        String fileName() {
            return target + "-" + sha256((sourcesSha256 + "\n" + target + "\n" + nvrtcVersion + "\n" + String.join("\n", options))
                    .getBytes(StandardCharsets.UTF_8)).substring(0, 32) + (target.startsWith("compute_") ? ".ptx" : ".cubin");
        }
    }

    private final Map<Key, byte[]> memory = new ConcurrentHashMap<>();
    private final Optional<Path> directory;

    /** A cache keeping images in memory and, when {@code directory} is present, on disk there. */
    public CompiledKernelCache(Optional<Path> directory) {
        this.directory = directory;
    }

    /** The process-wide cache, on disk at {@link #directory}. */
    public static CompiledKernelCache shared() {
        return SHARED;
    }

    /**
     * The disk cache folder: {@code kiln.cuda.kernelCache} / {@code KILN_CUDA_KERNEL_CACHE} (a path,
     * or {@code off}), else {@code $XDG_CACHE_HOME/kiln/nvrtc}, else {@code ~/.cache/kiln/nvrtc}.
     */
    public static Optional<Path> directory(Properties props, Map<String, String> env) {
        String v = props.getProperty("kiln.cuda.kernelCache", env.get("KILN_CUDA_KERNEL_CACHE"));
        if (v != null && !v.isBlank()) {
            return v.trim().toLowerCase(Locale.ROOT).equals("off") ? Optional.empty() : Optional.of(Path.of(v.trim()));
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Optional.of(Path.of(xdg, "kiln", "nvrtc"));
        String home = props.getProperty("user.home");
        return home == null || home.isBlank() ? Optional.empty() : Optional.of(Path.of(home, ".cache", "kiln", "nvrtc"));
    }

    /** The image for {@code key}: from memory, else from disk (then kept in memory), else empty. */
    public Optional<byte[]> get(Key key) {
        byte[] hit = memory.get(key);
        if (hit != null) return Optional.of(hit);
        Optional<byte[]> fromDisk = directory.flatMap(dir -> read(dir.resolve(key.fileName())));
        fromDisk.ifPresent(image -> memory.put(key, image));
        return fromDisk;
    }

    /** Keeps {@code image} for {@code key} in memory and, best effort, on disk. */
    public void put(Key key, byte[] image) {
        memory.put(key, image);
        directory.ifPresent(dir -> write(dir, key.fileName(), image));
    }

    private static Optional<byte[]> read(Path file) {
        try {
            if (!Files.isRegularFile(file)) return Optional.empty();
            byte[] all = Files.readAllBytes(file);
            if (all.length <= HASH_BYTES) return Optional.empty();
            byte[] image = Arrays.copyOfRange(all, HASH_BYTES, all.length);
            byte[] expected = Arrays.copyOf(all, HASH_BYTES);
            return Arrays.equals(expected, digest(image)) ? Optional.of(image) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void write(Path dir, String name, byte[] image) {
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, name, ".tmp");
            byte[] all = new byte[HASH_BYTES + image.length];
            System.arraycopy(digest(image), 0, all, 0, HASH_BYTES);
            System.arraycopy(image, 0, all, HASH_BYTES, image.length);
            Files.write(tmp, all);
            try {
                Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                return; // never a non-atomic replace: another process may be reading the file
            }
            tmp = null;
        } catch (IOException | RuntimeException e) {
            System.getLogger(CompiledKernelCache.class.getName()).log(System.Logger.Level.DEBUG,
                    "cuda: cannot write the NVRTC kernel cache in " + dir + ": " + e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless: it is never read
                }
            }
        }
    }

    private static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest(bytes));
    }
}
