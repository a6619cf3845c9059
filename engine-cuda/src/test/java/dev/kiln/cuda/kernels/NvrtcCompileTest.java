package dev.kiln.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.cuda.CudaException;
import dev.kiln.cuda.driver.CompiledKernelCache;
import dev.kiln.cuda.driver.KernelModules;
import dev.kiln.cuda.driver.NvrtcKernels;
import dev.kiln.cuda.ffi.NativeLibraries;
import dev.kiln.cuda.ffi.RuntimeCompiler;
import dev.kiln.kernels.Fatbin;
import dev.kiln.kernels.KernelNames;
import dev.kiln.kernels.KernelSources;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped kernel sources compiled by the real NVRTC (it needs no GPU): a cubin holding every
 * kernel, PTX whose parameter lists equal those nvcc emitted into {@code kiln.fatbin}, and compile
 * errors reported with the call, the status and the log. Skipped where no {@code libnvrtc.so.13}
 * or {@code .12} is found (point {@code KILN_CUDA_LIBRARY_PATH} at one, e.g. the {@code nvidia/cu13/lib}
 * folder of the nvidia-cuda-nvrtc wheel).
 */
class NvrtcCompileTest {
    /** The CUDA version a driver would report for the NVRTC order: 13.0 tries libnvrtc.so.13 first. */
    private static final int DRIVER_13 = 13000;
    private static RuntimeCompiler nvrtc;
    private static KernelSources sources;

    @BeforeAll
    static void open() {
        NativeLibraries libs = NativeLibraries.get();
        if (libs.nvrtc(DRIVER_13).isPresent()) nvrtc = RuntimeCompiler.open(libs, DRIVER_13);
        sources = KernelSources.load().orElseThrow();
    }

    private static void requireNvrtc() {
        assumeTrue(nvrtc != null, () -> "NVRTC not found: " + NativeLibraries.get().attempts(NativeLibraries.Library.NVRTC));
    }

    @Test
    void versionAndArchitecturesAreSane() {
        requireNvrtc();
        RuntimeCompiler.Version v = nvrtc.version();
        assertTrue(v.major() == 12 || v.major() == 13, "NVRTC version " + v);
        List<Integer> archs = nvrtc.supportedArchs();
        assertTrue(archs.contains(75) && archs.contains(90), "supported architectures " + archs);
        assertEquals(archs.stream().sorted().toList(), archs);
    }

    @Test
    void cubinForSm90HoldsEveryKernel() {
        requireNvrtc();
        RuntimeCompiler.Compiled c = nvrtc.compile(sources.mainName(), sources.main(), sources.headers(),
                List.of("-std=c++17", "--gpu-architecture=sm_90"), RuntimeCompiler.Output.CUBIN);
        byte[] elf = c.image();
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, java.util.Arrays.copyOf(elf, 4), "a cubin is an ELF file");
        String text = new String(elf, StandardCharsets.ISO_8859_1);
        List<String> missing = KernelNames.ALL.stream().filter(n -> !text.contains("\0" + n + "\0")).toList();
        assertTrue(missing.isEmpty(), "kernels missing from NVRTC's cubin: " + missing);
    }

    @Test
    void ptxParameterListsEqualThoseNvccEmitted() {
        requireNvrtc();
        byte[] fatbin = Fatbin.load().orElse(null);
        assumeTrue(fatbin != null, "kiln.fatbin not built (no nvcc): nothing to compare with");
        RuntimeCompiler.Compiled c = nvrtc.compile(sources.mainName(), sources.main(), sources.headers(),
                List.of("-std=c++17", "--gpu-architecture=compute_90"), RuntimeCompiler.Output.PTX);
        assertEquals(0, c.image()[c.image().length - 1], "PTX comes NUL-terminated");
        Map<String, List<KernelPtxParamsTest.PtxParam>> rtc = KernelPtxParamsTest.entries(c.image());
        Map<String, List<KernelPtxParamsTest.PtxParam>> nvcc = KernelPtxParamsTest.entries(fatbin);
        assertEquals(new TreeSet<>(KernelNames.ALL), new TreeSet<>(rtc.keySet()), "PTX entries from NVRTC vs KernelNames.ALL");
        for (String k : KernelNames.ALL) assertEquals(nvcc.get(k), rtc.get(k), k + ": NVRTC's parameters vs nvcc's");
    }

    @Test
    void aCompileErrorNamesTheCallStatusOptionsAndLog() {
        requireNvrtc();
        CudaException e = assertThrows(CudaException.class, () -> nvrtc.compile("broken.cu",
                "#include \"h.cuh\"\nextern \"C\" __global__ void k() { undefined_thing(); }\n", Map.of("h.cuh", "#pragma once\n"),
                List.of("--gpu-architecture=sm_90"), RuntimeCompiler.Output.CUBIN));
        assertEquals("nvrtcCompileProgram", e.function());
        assertEquals(RuntimeCompiler.ERROR_COMPILATION, e.status());
        assertTrue(e.getMessage().contains("NVRTC_ERROR_COMPILATION"), e.getMessage());
        assertTrue(e.getMessage().contains("--gpu-architecture=sm_90"), e.getMessage());
        assertTrue(e.getMessage().contains("undefined_thing"), "the compile log: " + e.getMessage());
        assertTrue(nvrtc.statusName(RuntimeCompiler.ERROR_COMPILATION).contains("NVRTC_ERROR_COMPILATION"));
    }

    @Test
    void anUnknownOptionIsReported() {
        requireNvrtc();
        CudaException e = assertThrows(CudaException.class, () -> nvrtc.compile("k.cu", "extern \"C\" __global__ void k() {}\n",
                Map.of(), List.of("--no-such-option"), RuntimeCompiler.Output.PTX));
        assertTrue(e.getMessage().contains("NVRTC_ERROR_INVALID_OPTION"), e.getMessage());
    }

    @Test
    void theSecondCompilationComesFromTheCache() {
        requireNvrtc();
        NvrtcKernels kernels = new NvrtcKernels(nvrtc, new CompiledKernelCache(Optional.empty()), sources);
        KernelModules.Image first = kernels.compile(8, 6);
        KernelModules.Image second = kernels.compile(8, 6);
        assertEquals("NVRTC " + nvrtc.version() + " cubin sm_86", first.origin());
        assertEquals(first.origin() + " (cached)", second.origin());
        assertArrayEquals(first.bytes(), second.bytes());
    }
}
