package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.BackendProvider;
import dev.kiln.spi.Pool2dSpec;
import dev.kiln.spi.ProbeResult;
import dev.kiln.cuda.ffi.NativeLibraries;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Discovery and the explanations a probe gives when CUDA is not usable. */
class CudaBackendProviderTest {

    @Test
    void isDiscoveredByServiceLoaderWithNameAndRank() {
        BackendProvider p = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(x -> x.name().equals("cuda")).findFirst().orElseThrow();
        assertEquals(100, p.rank());
        assertTrue(p instanceof CudaBackendProvider);
    }

    @Test
    void probeWithoutDriverExplainsCauseAndFix() {
        NativeLibraries libs = NativeLibraries.get();
        if (libs.lookup(NativeLibraries.Library.CUDA).isPresent()) return; // a machine with a driver: covered by CudaBackendTest
        ProbeResult r = new CudaBackendProvider().probe();
        assertFalse(r.available());
        assertEquals("cuda", r.name());
        assertTrue(r.reason().contains("libcuda.so.1"), r.reason());
        assertTrue(r.reason().contains("install the NVIDIA driver"), r.reason());
        assertTrue(r.reason().contains("KILN_BACKEND=cpu"), r.reason());
    }

    @Test
    void probeNeverThrowsAndIsRepeatable() {
        ProbeResult first = new CudaBackendProvider().probe();
        ProbeResult second = new CudaBackendProvider().probe();
        assertEquals(first.available(), second.available());
        if (first.available()) {
            ((CudaBackend) first.backend()).close();
            ((CudaBackend) second.backend()).close();
        }
    }

    @Test
    void diagnosticsListEveryLibraryWithWhatWasTried() {
        List<String> lines = new CudaBackendProvider().diagnostics();
        assertEquals(NativeLibraries.get().report().lines().toList(), lines);
        for (String soname : List.of("libcuda.so.1", "libcublas.so.13", "libcudnn.so.9", "libnvrtc.so.13")) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(soname + ": ")), soname + " missing from " + lines);
        }
    }

    @Test
    void optionsParsePropertiesBeforeEnvironment() {
        Properties props = new Properties();
        props.setProperty("kiln.cuda.tf32", "true");
        CudaOptions o = CudaOptions.from(props, Map.of("KILN_CUDA_TF32", "0", "KILN_CUDA_DEVICE", "2", "KILN_CUDA_DETERMINISTIC", "0",
                "KILN_CUDA_BENCHMARK", "yes"));
        assertEquals(new CudaOptions(2, true, false, true), o);
        assertEquals(new CudaOptions(0, false, true, false), CudaOptions.from(new Properties(), Map.of()));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CudaOptions.from(new Properties(), Map.of("KILN_CUDA_DEVICE", "gpu")));
        assertTrue(e.getMessage().contains("KILN_CUDA_DEVICE"));
    }

    @Test
    void kernelsOptionParsesFatbinNvrtcAutoAndRejectsOthers() {
        Properties props = new Properties();
        assertEquals(CudaOptions.Kernels.AUTO, CudaOptions.from(props, Map.of()).kernels());
        assertEquals(CudaOptions.Kernels.NVRTC, CudaOptions.from(props, Map.of("KILN_CUDA_KERNELS", "NVRTC")).kernels());
        props.setProperty("kiln.cuda.kernels", "fatbin");
        assertEquals(CudaOptions.Kernels.FATBIN, CudaOptions.from(props, Map.of("KILN_CUDA_KERNELS", "nvrtc")).kernels());
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CudaOptions.from(new Properties(), Map.of("KILN_CUDA_KERNELS", "ptx")));
        assertTrue(e.getMessage().contains("fatbin, nvrtc or auto") && e.getMessage().contains("'ptx'"), e.getMessage());
    }

    @Test
    void cudnnPoolingOnlyForFloorSizedUndilatedWindows() {
        assertTrue(CudnnOps.poolingSupported(new Pool2dSpec(1, 1, 8, 8, 2, 2, 2, 2, 0, 0, 1, 1, false, true)));
        // ceil mode that changes nothing: 8 = 2*4 exactly
        assertTrue(CudnnOps.poolingSupported(new Pool2dSpec(1, 1, 8, 8, 2, 2, 2, 2, 0, 0, 1, 1, true, true)));
        // ceil mode adding a partial window: 7 -> 4 instead of 3
        assertFalse(CudnnOps.poolingSupported(new Pool2dSpec(1, 1, 7, 7, 2, 2, 2, 2, 0, 0, 1, 1, true, true)));
        assertFalse(CudnnOps.poolingSupported(new Pool2dSpec(1, 1, 8, 8, 2, 2, 1, 1, 0, 0, 2, 2, false, true)));
    }
}
