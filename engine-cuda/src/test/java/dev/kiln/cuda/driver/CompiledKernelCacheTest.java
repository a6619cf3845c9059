package dev.kiln.cuda.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The NVRTC image cache, in memory and on disk. */
class CompiledKernelCacheTest {
    private static final CompiledKernelCache.Key KEY = new CompiledKernelCache.Key("abc", "sm_90", "13.0", List.of("-std=c++17"));

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void memoryOnlyCacheKeepsImagesByKey() {
        CompiledKernelCache cache = new CompiledKernelCache(Optional.empty());
        assertTrue(cache.get(KEY).isEmpty());
        cache.put(KEY, new byte[] {1, 2});
        assertArrayEquals(new byte[] {1, 2}, cache.get(KEY).orElseThrow());
        assertTrue(cache.get(new CompiledKernelCache.Key("abc", "sm_89", "13.0", List.of("-std=c++17"))).isEmpty());
    }

    @Test
    void anotherProcessReadsTheDiskCopyAndNoTemporaryFileRemains(@TempDir Path dir) throws IOException {
        Path cacheDir = dir.resolve("kiln/nvrtc");
        new CompiledKernelCache(Optional.of(cacheDir)).put(KEY, new byte[] {7, 8, 9});
        assertEquals(1, files(cacheDir).size(), files(cacheDir).toString());
        assertTrue(files(cacheDir).getFirst().getFileName().toString().matches("sm_90-[0-9a-f]{32}\\.cubin"));
        assertArrayEquals(new byte[] {7, 8, 9}, new CompiledKernelCache(Optional.of(cacheDir)).get(KEY).orElseThrow());
    }

    @Test
    void aDamagedDiskEntryIsIgnored(@TempDir Path dir) throws IOException {
        new CompiledKernelCache(Optional.of(dir)).put(KEY, new byte[] {7, 8, 9});
        Path file = files(dir).getFirst();
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 1;
        Files.write(file, bytes);
        assertTrue(new CompiledKernelCache(Optional.of(dir)).get(KEY).isEmpty());
        Files.write(file, new byte[] {1});
        assertTrue(new CompiledKernelCache(Optional.of(dir)).get(KEY).isEmpty());
    }

    @Test
    void anUnwritableDirectoryIsNotAnError(@TempDir Path dir) throws IOException {
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        CompiledKernelCache cache = new CompiledKernelCache(Optional.of(notADir.resolve("sub")));
        cache.put(KEY, new byte[] {5});
        assertArrayEquals(new byte[] {5}, cache.get(KEY).orElseThrow());
    }

    @Test
    void everyKeyPartChangesTheFileName() {
        String base = KEY.fileName();
        assertNotEquals(base, new CompiledKernelCache.Key("abd", "sm_90", "13.0", List.of("-std=c++17")).fileName());
        assertNotEquals(base, new CompiledKernelCache.Key("abc", "sm_90", "12.8", List.of("-std=c++17")).fileName());
        assertNotEquals(base, new CompiledKernelCache.Key("abc", "sm_90", "13.0", List.of()).fileName());
        assertTrue(new CompiledKernelCache.Key("abc", "compute_90", "13.0", List.of()).fileName().endsWith(".ptx"));
    }

    @Test
    void directoryFromPropertyThenVariableThenXdgThenHome() {
        Properties props = new Properties();
        props.setProperty("user.home", "/home/u");
        assertEquals(Optional.of(Path.of("/home/u/.cache/kiln/nvrtc")), CompiledKernelCache.directory(props, Map.of()));
        assertEquals(Optional.of(Path.of("/x/kiln/nvrtc")), CompiledKernelCache.directory(props, Map.of("XDG_CACHE_HOME", "/x")));
        assertEquals(Optional.of(Path.of("/v")), CompiledKernelCache.directory(props,
                Map.of("XDG_CACHE_HOME", "/x", "KILN_CUDA_KERNEL_CACHE", "/v")));
        assertEquals(Optional.empty(), CompiledKernelCache.directory(props, Map.of("KILN_CUDA_KERNEL_CACHE", "OFF")));
        props.setProperty("kiln.cuda.kernelCache", "/p");
        assertEquals(Optional.of(Path.of("/p")), CompiledKernelCache.directory(props, Map.of("KILN_CUDA_KERNEL_CACHE", "off")));
    }
}
