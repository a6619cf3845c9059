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
    void sonameOrderPutsVersionsTheDriverRunsFirst() {
        NativeLibraries.Library nvrtc = NativeLibraries.Library.NVRTC, cublas = NativeLibraries.Library.CUBLAS;
        assertEquals(List.of("libnvrtc.so.13", "libnvrtc.so.12"), nvrtc.sonamesFor(13000));
        assertEquals(List.of("libnvrtc.so.13", "libnvrtc.so.12"), nvrtc.sonamesFor(13020));
        assertEquals(List.of("libnvrtc.so.12", "libnvrtc.so.13"), nvrtc.sonamesFor(12080));
        assertEquals(List.of("libcublas.so.12", "libcublas.so.13"), cublas.sonamesFor(12000));
        assertEquals(List.of("libcublas.so.12", "libcublas.so.13"), cublas.sonamesFor(12090));
        assertEquals(List.of("libcublas.so.13", "libcublas.so.12"), cublas.sonamesFor(13000));
        assertEquals(List.of("libcublas.so.13", "libcublas.so.12"), cublas.sonamesFor(14000));
        assertEquals(List.of("libcublas.so.13", "libcublas.so.12"), cublas.sonamesFor(0), "unknown driver: declared order");
        assertFalse(NativeLibraries.Library.NVRTC.required());
        assertTrue(NativeLibraries.Library.CUDNN.required());
    }

    /** Libraries that all open by name, with a driver reporting {@code driverVersion} (0: it cannot say). */
    private static NativeLibraries everythingInstalled(int driverVersion) {
        return new NativeLibraries(name -> fake(), path -> fake(), List.of(), (lib, lookup) -> switch (lib) {
            case CUDA -> driverVersion;
            case CUBLAS -> 120604;
            case CUDNN -> 90500;
            case NVRTC -> 0;
        });
    }

    @Test
    void cublasIsChosenByTheDriversVersionWhenBoth12And13AreInstalled() {
        NativeLibraries.Library cublas = NativeLibraries.Library.CUBLAS;
        assertEquals(Optional.of("libcublas.so.12"), everythingInstalled(12060).loadedFrom(cublas));
        assertEquals(Optional.of("libcublas.so.13"), everythingInstalled(13000).loadedFrom(cublas));
        assertEquals(Optional.of("libcublas.so.13"), everythingInstalled(0).loadedFrom(cublas));
    }

    @Test
    void reportNamesEachSonameAndVersionFound() {
        NativeLibraries libs = everythingInstalled(12060);
        assertEquals(java.util.OptionalInt.of(12060), libs.driverVersion());
        assertEquals(Optional.of("12.6.4"), libs.version(NativeLibraries.Library.CUBLAS));
        String report = libs.report();
        assertTrue(report.contains("libcuda.so.1: loaded from libcuda.so.1, driver supports CUDA 12.6"), report);
        assertTrue(report.contains("loaded from libcublas.so.12, version 12.6.4"), report);
        assertTrue(report.contains("loaded from libcudnn.so.9, version 9.5.0"), report);
        assertTrue(everythingInstalled(0).driverVersion().isEmpty());
    }

    @Test
    void aLibraryWithoutVersionSymbolsReportsNoVersion() {
        // The real reader against libraries that export nothing: no version, no exception.
        NativeLibraries libs = new NativeLibraries(name -> fake(), path -> fake(), List.of());
        assertTrue(libs.driverVersion().isEmpty());
        assertTrue(libs.version(NativeLibraries.Library.CUDNN).isEmpty());
        assertTrue(libs.report().contains("libcudnn.so.9: loaded from libcudnn.so.9 (tried"), libs.report());
    }

    @Test
    void cublasErrorsCarryTheStatusConstantName() {
        assertEquals("CUBLAS_STATUS_SUCCESS", Blas.constantName(0));
        assertEquals("CUBLAS_STATUS_NOT_INITIALIZED", Blas.constantName(1));
        assertEquals("CUBLAS_STATUS_ALLOC_FAILED", Blas.constantName(3));
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", Blas.constantName(7));
        assertEquals("CUBLAS_STATUS_ARCH_MISMATCH", Blas.constantName(8));
        assertEquals("CUBLAS_STATUS_MAPPING_ERROR", Blas.constantName(11));
        assertEquals("CUBLAS_STATUS_EXECUTION_FAILED", Blas.constantName(13));
        assertEquals("CUBLAS_STATUS_INTERNAL_ERROR", Blas.constantName(14));
        assertEquals("CUBLAS_STATUS_NOT_SUPPORTED", Blas.constantName(15));
        assertEquals("CUBLAS_STATUS_LICENSE_ERROR", Blas.constantName(16));
        assertEquals("cublasStatus_t 42", Blas.constantName(42));
        assertEquals("CUBLAS_STATUS_ALLOC_FAILED: resource allocation failed", Blas.describe(3, "resource allocation failed"));
        assertEquals("CUBLAS_STATUS_ALLOC_FAILED", Blas.describe(3, null));
        assertEquals("CUBLAS_STATUS_ALLOC_FAILED", Blas.describe(3, "CUBLAS_STATUS_ALLOC_FAILED"));
        // Through the checked layer, with or without a cuBLAS on this machine to describe it.
        CudaException e = assertThrows(CudaException.class, () -> Blas.check("cublasSgemm_v2", 7, "matmul [2, 3] x [4, 5]"));
        assertTrue(e.getMessage().startsWith("cublasSgemm_v2 failed: CUBLAS_STATUS_INVALID_VALUE"), e.getMessage());
        assertTrue(e.getMessage().contains("(7) in matmul [2, 3] x [4, 5]"), e.getMessage());
        assertEquals(7, e.status());
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
