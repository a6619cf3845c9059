package dev.kiln.cuda.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.cuda.CudaException;
import dev.kiln.cuda.ffi.RuntimeCompiler.Output;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What NVRTC compiles for a GPU, given the architectures it supports. */
class NvrtcTargetTest {
    /** nvrtcGetSupportedArchs of NVRTC 13.0. */
    private static final List<Integer> NVRTC_13_ARCHS = List.of(75, 80, 86, 87, 88, 89, 90, 100, 103, 110, 120, 121);

    @Test
    void targetIsTheGpusOwnCubinElsePtxForTheNewestArchitectureBelowIt() {
        assertEquals(new NvrtcKernels.Target(Output.CUBIN, 90), NvrtcKernels.target(90, NVRTC_13_ARCHS));
        assertEquals("sm_90", NvrtcKernels.target(90, NVRTC_13_ARCHS).name());
        assertEquals(new NvrtcKernels.Target(Output.PTX, 121), NvrtcKernels.target(130, NVRTC_13_ARCHS));
        assertEquals("compute_86", NvrtcKernels.target(88, List.of(75, 80, 86, 90)).name());
        CudaException tooOld = assertThrows(CudaException.class, () -> NvrtcKernels.target(70, NVRTC_13_ARCHS));
        assertTrue(tooOld.getMessage().contains("sm_70"), tooOld.getMessage());
        assertTrue(tooOld.getMessage().contains("sm_75"), tooOld.getMessage());
    }
}
