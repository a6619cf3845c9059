package dev.kiln.cuda.ffi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.cuda.CudaException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Library discovery, missing-symbol handles and the cuDNN perf struct layout, without a GPU. */
class BindingsTest {

    private static SymbolLookup fake() {
        return name -> Optional.empty();
    }

    @Test
    void triesSonamesInOrderThenDirectoriesAndRecordsEveryAttempt(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve("libcublas.so.12"));
        Files.createFile(dir.resolve("libcublasLt.so.12"));
        List<String> opened = new ArrayList<>();
        NativeLibraries libs = new NativeLibraries(name -> {
            opened.add(name);
            if (name.equals("libcuda.so.1")) return fake();
            throw new IllegalArgumentException("Cannot open library: " + name);
        }, path -> {
            opened.add(path.toString());
            return fake();
        }, List.of(dir));
        assertTrue(libs.lookup(NativeLibraries.Library.CUDA).isPresent());
        assertEquals(Optional.of(dir.resolve("libcublas.so.12").toString()), libs.loadedFrom(NativeLibraries.Library.CUBLAS));
        assertTrue(libs.lookup(NativeLibraries.Library.CUDNN).isEmpty());
        assertEquals(List.of("libcuda.so.1", "libcublas.so.13", "libcublas.so.12", dir.resolve("libcublasLt.so.12").toString(),
                dir.resolve("libcublas.so.12").toString(), "libcudnn.so.9"), opened);
        List<NativeLibraries.Attempt> cublas = libs.attempts(NativeLibraries.Library.CUBLAS);
        assertEquals(List.of("libcublas.so.13", "libcublas.so.12", dir.resolve("libcublas.so.13").toString(),
                dir.resolve("libcublas.so.12").toString()), cublas.stream().map(NativeLibraries.Attempt::candidate).toList());
        assertFalse(cublas.get(0).loaded());
        assertTrue(cublas.get(3).loaded());
        assertTrue(libs.report().contains("libcudnn.so.9: not found"), libs.report());
    }

    @Test
    void nvrtcIsOpenedOnlyWhenAskedWithTheDriversVersionFirst(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve("libnvrtc.so.12"));
        Files.createFile(dir.resolve("libnvrtc-builtins.so.12.8"));
        Files.createFile(dir.resolve("libnvrtc-builtins.so.12.10"));
        Files.createFile(dir.resolve("libnvrtc-builtins.so.13.0"));
        List<String> opened = new ArrayList<>();
        NativeLibraries libs = new NativeLibraries(name -> {
            opened.add(name);
            throw new IllegalArgumentException("Cannot open library: " + name);
        }, path -> {
            opened.add(path.toString());
            return fake();
        }, List.of(dir));
        assertTrue(opened.stream().noneMatch(n -> n.contains("nvrtc")), "NVRTC opened eagerly: " + opened);
        assertTrue(libs.report().contains("libnvrtc.so.13: not opened"), libs.report());
        opened.clear();
        assertTrue(libs.nvrtc(12080).isPresent());
        assertEquals(List.of("libnvrtc.so.12", "libnvrtc.so.13", dir.resolve("libnvrtc-builtins.so.12.10").toString(),
                dir.resolve("libnvrtc.so.12").toString()), opened);
        assertEquals(Optional.of(dir.resolve("libnvrtc.so.12").toString()), libs.loadedFrom(NativeLibraries.Library.NVRTC));
        opened.clear();
        assertTrue(libs.nvrtc(13000).isPresent());
        assertEquals(List.of(), opened, "opened once per process");
    }

    @Test
    void nvrtcOrderPutsVersionsTheDriverRunsFirst() {
        assertEquals(List.of("libnvrtc.so.13", "libnvrtc.so.12"), NativeLibraries.Library.nvrtcOrder(13000));
        assertEquals(List.of("libnvrtc.so.13", "libnvrtc.so.12"), NativeLibraries.Library.nvrtcOrder(13020));
        assertEquals(List.of("libnvrtc.so.12", "libnvrtc.so.13"), NativeLibraries.Library.nvrtcOrder(12080));
        assertFalse(NativeLibraries.Library.NVRTC.required());
        assertTrue(NativeLibraries.Library.CUDNN.required());
    }

    @Test
    void deniedNativeAccessIsRecordedWithTheFix() {
        NativeLibraries libs = new NativeLibraries(name -> {
            throw new IllegalCallerException("Illegal native access");
        }, path -> fake(), List.of());
        assertTrue(libs.nativeAccessError().isPresent());
        assertTrue(NativeLibraries.nativeAccessFix().contains("--enable-native-access=ALL-UNNAMED"));
    }

    @Test
    void directoriesComeFromKilnPathThenCudaHomeThenCudaPath() {
        assertEquals(List.of(Path.of("/a"), Path.of("/b"), Path.of("/cuda/lib64"), Path.of("/other/lib64")),
                NativeLibraries.directoriesFromEnvironment(Map.of("KILN_CUDA_LIBRARY_PATH", "/a::/b", "CUDA_HOME", "/cuda",
                        "CUDA_PATH", "/other")));
    }

    @Test
    void aMissingSymbolThrowsANamedCudaException() throws Throwable {
        MethodHandle h = new Downcalls(NativeLibraries.Library.CUDA, Optional.empty()).handle("cuInit", JAVA_INT, JAVA_INT);
        CudaException e = assertThrows(CudaException.class, () -> {
            int unused = (int) h.invokeExact(0);
        });
        assertTrue(e.getMessage().contains("cuInit"), e.getMessage());
        assertTrue(e.getMessage().contains("libcuda.so.1"), e.getMessage());
        MethodHandle v = new Downcalls(NativeLibraries.Library.CUDNN, Optional.of(fake())).handle("cudnnX", null, JAVA_LONG);
        assertThrows(CudaException.class, () -> {
            v.invokeExact(1L);
        });
    }

    @Test
    void perfStructsAreParsedAt48ByteStride() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment perf = arena.allocate(2 * Dnn.PERF_BYTES, 8);
            long o = Dnn.PERF_BYTES;
            perf.set(JAVA_INT, o, 6);          // algo
            perf.set(JAVA_INT, o + 4, 0);      // status
            perf.set(JAVA_LONG, o + 16, 4096); // memory
            perf.set(JAVA_INT, o + 24, 1);     // determinism
            perf.set(JAVA_INT, o + 28, Dnn.FMA_MATH);
            Dnn.AlgoPerf p = Dnn.parsePerf(perf, 2).get(1);
            assertEquals(new Dnn.AlgoPerf(6, 0, 4096, true, Dnn.FMA_MATH), p);
        }
    }
}
