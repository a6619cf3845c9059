package dev.kiln.cuda.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.cuda.CudaException;
import dev.kiln.cuda.CudaOptions.Kernels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The choice between kiln.fatbin and NVRTC, with a fake driver loader and a fake compiler. */
class KernelModulesTest {
    private static final byte[] FATBIN = {1, 2, 3}, CUBIN = {9, 9};
    private static final int OUT_OF_MEMORY = 2, UNSUPPORTED_PTX_VERSION = 222;

    /** Loads what it accepts (by first byte), else fails with the status given for that image. */
    private static final class FakeDriver implements KernelModules.Loader<String> {
        final Map<Byte, Integer> failures;
        final List<String> loaded = new ArrayList<>();

        FakeDriver(Map<Byte, Integer> failures) {
            this.failures = failures;
        }

        @Override
        public String load(byte[] image, String what) {
            loaded.add(what);
            Integer status = failures.get(image[0]);
            if (status != null) {
                throw new CudaException("cuModuleLoadData", status, KernelModules.NO_USABLE_CODE.getOrDefault(status, "CUDA_ERROR_" + status),
                        what);
            }
            return "module(" + image[0] + ")";
        }
    }

    /** A compiler that counts its calls and returns {@link #CUBIN} or throws. */
    private static final class FakeNvrtc implements Supplier<KernelModules.Image> {
        final RuntimeException failure;
        int calls;

        FakeNvrtc(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public KernelModules.Image get() {
            calls++;
            if (failure != null) throw failure;
            return new KernelModules.Image(CUBIN, "NVRTC 12.8 cubin sm_90");
        }
    }

    private final List<String> log = new ArrayList<>();

    @Test
    void autoUsesTheFatbinWhenItLoadsAndNeverCompiles() {
        FakeDriver driver = new FakeDriver(Map.of());
        FakeNvrtc nvrtc = new FakeNvrtc(null);
        KernelModules.Loaded<String> m = KernelModules.load(Kernels.AUTO, Optional.of(FATBIN), driver, nvrtc, log::add);
        assertEquals("module(1)", m.module());
        assertEquals("kiln.fatbin", m.origin());
        assertEquals(0, nvrtc.calls);
        assertTrue(log.isEmpty(), log.toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 209, 218, 221, 222, 223})
    void autoFallsBackToNvrtcWhenTheFatbinHasNoUsableCode(int status) {
        FakeDriver driver = new FakeDriver(Map.of((byte) 1, status));
        FakeNvrtc nvrtc = new FakeNvrtc(null);
        KernelModules.Loaded<String> m = KernelModules.load(Kernels.AUTO, Optional.of(FATBIN), driver, nvrtc, log::add);
        assertEquals("module(9)", m.module());
        assertEquals("NVRTC 12.8 cubin sm_90", m.origin());
        assertEquals(1, nvrtc.calls);
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.getFirst().contains(KernelModules.NO_USABLE_CODE.get(status)), log.getFirst());
        assertTrue(log.getFirst().contains("NVRTC 12.8 cubin sm_90"), log.getFirst());
    }

    @Test
    void autoRethrowsFailuresThatAreNotAboutTheCode() {
        FakeNvrtc nvrtc = new FakeNvrtc(null);
        CudaException e = assertThrows(CudaException.class, () -> KernelModules.load(Kernels.AUTO, Optional.of(FATBIN),
                new FakeDriver(Map.of((byte) 1, OUT_OF_MEMORY)), nvrtc, log::add));
        assertEquals(OUT_OF_MEMORY, e.status());
        assertFalse(e instanceof KernelModules.KernelsUnavailableException);
        assertEquals(0, nvrtc.calls);
    }

    @Test
    void autoCompilesWhenTheJarHasNoFatbin() {
        FakeNvrtc nvrtc = new FakeNvrtc(null);
        KernelModules.Loaded<String> m = KernelModules.load(Kernels.AUTO, Optional.empty(), new FakeDriver(Map.of()), nvrtc, log::add);
        assertEquals("module(9)", m.module());
        assertTrue(log.getFirst().contains("kiln.fatbin is missing"), log.getFirst());
    }

    @Test
    void autoReportsBothReasonsWhenBothFail() {
        FakeNvrtc nvrtc = new FakeNvrtc(new CudaException("nvrtcCompileProgram", 6, "NVRTC_ERROR_COMPILATION", "kiln.cu; log: oops"));
        KernelModules.KernelsUnavailableException e = assertThrows(KernelModules.KernelsUnavailableException.class,
                () -> KernelModules.load(Kernels.AUTO, Optional.of(FATBIN), new FakeDriver(Map.of((byte) 1, UNSUPPORTED_PTX_VERSION)),
                        nvrtc, log::add));
        assertTrue(e.getMessage().contains("CUDA_ERROR_UNSUPPORTED_PTX_VERSION"), e.getMessage());
        assertTrue(e.getMessage().contains("NVRTC_ERROR_COMPILATION"), e.getMessage());
        assertTrue(e.getMessage().contains("oops"), e.getMessage());
        assertTrue(log.isEmpty(), log.toString());
    }

    @Test
    void autoReportsBothReasonsWhenNvrtcCodeDoesNotLoadEither() {
        FakeDriver driver = new FakeDriver(Map.of((byte) 1, UNSUPPORTED_PTX_VERSION, (byte) 9, 200));
        KernelModules.KernelsUnavailableException e = assertThrows(KernelModules.KernelsUnavailableException.class,
                () -> KernelModules.load(Kernels.AUTO, Optional.of(FATBIN), driver, new FakeNvrtc(null), log::add));
        assertTrue(e.getMessage().contains("CUDA_ERROR_UNSUPPORTED_PTX_VERSION"), e.getMessage());
        assertTrue(e.getMessage().contains("loading NVRTC 12.8 cubin sm_90 failed"), e.getMessage());
        assertTrue(e.getMessage().contains("CUDA_ERROR_INVALID_IMAGE"), e.getMessage());
        assertEquals(2, driver.loaded.size());
    }

    @Test
    void fatbinModeNeverCompiles() {
        FakeNvrtc nvrtc = new FakeNvrtc(null);
        KernelModules.KernelsUnavailableException e = assertThrows(KernelModules.KernelsUnavailableException.class,
                () -> KernelModules.load(Kernels.FATBIN, Optional.of(FATBIN), new FakeDriver(Map.of((byte) 1, 209)), nvrtc, log::add));
        assertTrue(e.getMessage().contains("CUDA_ERROR_NO_BINARY_FOR_GPU"), e.getMessage());
        assertTrue(e.getMessage().contains("KILN_CUDA_KERNELS=auto"), e.getMessage());
        KernelModules.KernelsUnavailableException missing = assertThrows(KernelModules.KernelsUnavailableException.class,
                () -> KernelModules.load(Kernels.FATBIN, Optional.empty(), new FakeDriver(Map.of()), nvrtc, log::add));
        assertTrue(missing.getMessage().contains("kiln.fatbin is missing"), missing.getMessage());
        assertEquals(0, nvrtc.calls);
    }

    @Test
    void nvrtcModeSkipsTheFatbinAndSaysSo() {
        FakeDriver driver = new FakeDriver(Map.of());
        KernelModules.Loaded<String> m = KernelModules.load(Kernels.NVRTC, Optional.of(FATBIN), driver, new FakeNvrtc(null), log::add);
        assertEquals("module(9)", m.module());
        assertEquals(1, driver.loaded.size());
        assertTrue(driver.loaded.getFirst().startsWith("NVRTC 12.8 cubin sm_90"), driver.loaded.toString());
        assertEquals(1, log.size());
        assertTrue(log.getFirst().contains("kiln.cuda.kernels=nvrtc"), log.getFirst());
    }

    @Test
    void nvrtcModeFailureNamesTheCompilerError() {
        RuntimeException notFound = new CudaException("NVRTC (libnvrtc.so.13 or libnvrtc.so.12) not found");
        KernelModules.KernelsUnavailableException e = assertThrows(KernelModules.KernelsUnavailableException.class,
                () -> KernelModules.load(Kernels.NVRTC, Optional.of(FATBIN), new FakeDriver(Map.of()), new FakeNvrtc(notFound), log::add));
        assertTrue(e.getMessage().contains("libnvrtc.so.13"), e.getMessage());
        assertTrue(e.getMessage().contains("unset KILN_CUDA_KERNELS"), e.getMessage());
        assertSame(notFound, e.getCause());
    }

    /** The status numbers and names agree with cuda.h, where a CUDA toolkit is installed. */
    @Test
    void fallbackStatusesMatchCudaH() throws IOException {
        Path header = cudaHeader("cuda.h");
        assumeTrue(header != null, "no cuda.h under CUDA_HOME, CUDA_PATH or /usr/local/cuda*/include");
        Pattern enumEntry = Pattern.compile("(CUDA_ERROR_\\w+)\\s*=\\s*(\\d+)");
        Map<String, Integer> declared = new TreeMap<>();
        Matcher m = enumEntry.matcher(Files.readString(header));
        while (m.find()) declared.put(m.group(1), Integer.parseInt(m.group(2)));
        KernelModules.NO_USABLE_CODE.forEach((status, name) ->
                assertEquals(status, declared.get(name), name + " in " + header));
    }

    /** {@code name} under $CUDA_HOME/include, $CUDA_PATH/include or the newest /usr/local/cuda*&#47;include, or null. */
    static Path cudaHeader(String name) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (String v : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = System.getenv(v);
            if (home != null && !home.isBlank()) dirs.add(Path.of(home, "include"));
        }
        Path local = Path.of("/usr/local");
        if (Files.isDirectory(local)) {
            try (Stream<Path> s = Files.list(local)) {
                s.filter(p -> p.getFileName().toString().startsWith("cuda")).sorted().toList().reversed()
                        .forEach(p -> dirs.add(p.resolve("include")));
            }
        }
        return dirs.stream().map(d -> d.resolve(name)).filter(Files::isRegularFile).findFirst().orElse(null);
    }
}
