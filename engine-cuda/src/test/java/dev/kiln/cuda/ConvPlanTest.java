package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.cuda.ffi.Dnn;
import dev.kiln.cuda.ffi.Dnn.AlgoPerf;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Algorithm filtering, workspace-aware ordering, fallback and math types (the pure parts of the cuDNN path). */
class ConvPlanTest {
    private static final List<AlgoPerf> PERF = List.of(
            new AlgoPerf(0, 0, 0, false, Dnn.FMA_MATH),
            new AlgoPerf(1, 0, 100, true, Dnn.TENSOR_OP_MATH),
            new AlgoPerf(2, 9, 0, true, Dnn.FMA_MATH),
            new AlgoPerf(3, 0, 50, true, Dnn.FMA_MATH),
            new AlgoPerf(4, 0, 10, true, Dnn.DEFAULT_MATH));

    @Test
    void deterministicFp32SkipsAtomicsTensorOpsAndFailures() {
        assertEquals(List.of(3, 4), ConvPlan.candidates(PERF, true, false).stream().map(AlgoPerf::algo).toList());
        assertEquals(List.of(0, 3, 4), ConvPlan.candidates(PERF, false, false).stream().map(AlgoPerf::algo).toList());
        assertEquals(List.of(1, 3, 4), ConvPlan.candidates(PERF, true, true).stream().map(AlgoPerf::algo).toList());
    }

    private static ConvPlan.Algo algo(int id, long workspace) {
        return new ConvPlan.Algo(id, workspace, Dnn.FMA_MATH);
    }

    @Test
    void triesWhatFitsInHalfTheFreeMemoryFirstThenTheSmallestWorkspaces() {
        List<ConvPlan.Algo> sized = List.of(algo(7, 1000), algo(1, 300), algo(5, 2000), algo(0, 0));
        assertEquals(List.of(7, 1, 5, 0), ConvPlan.order(sized, 4000).stream().map(ConvPlan.Algo::algo).toList());
        assertEquals(List.of(1, 0, 7, 5), ConvPlan.order(sized, 1000).stream().map(ConvPlan.Algo::algo).toList());
        assertEquals(List.of(0, 1, 7, 5), ConvPlan.order(sized, 0).stream().map(ConvPlan.Algo::algo).toList());
    }

    @Test
    void aRejectedAlgorithmGivesWayToTheNextUntilOneHasWorked() {
        ConvPlan.Choice c = new ConvPlan.Choice(List.of(algo(6, 0), algo(1, 0), algo(0, 0)));
        assertEquals(6, c.current().algo());
        assertTrue(c.reject("CUDNN_STATUS_NOT_SUPPORTED"));
        assertEquals(1, c.current().algo());
        c.confirm();
        assertFalse(c.reject("later failure"), "a confirmed algorithm is never dropped: its failures are real errors");
        assertEquals(1, c.current().algo());
        assertEquals(List.of("algo 6: CUDNN_STATUS_NOT_SUPPORTED"), c.rejected());

        ConvPlan.Choice last = new ConvPlan.Choice(List.of(algo(2, 0)));
        assertFalse(last.reject("out of memory"), "nothing left to try");
        assertEquals(List.of("algo 2: out of memory"), last.rejected());
    }

    @Test
    void onlyNotSupportedConvolutionsAndWorkspaceOomAreRetried() {
        assertTrue(Dnn.isNotSupported(9), "cuDNN 8 CUDNN_STATUS_NOT_SUPPORTED");
        assertTrue(Dnn.isNotSupported(3000), "cuDNN 9 CUDNN_STATUS_NOT_SUPPORTED");
        assertTrue(Dnn.isNotSupported(3002), "cuDNN 9 CUDNN_STATUS_NOT_SUPPORTED_SHAPE");
        assertFalse(Dnn.isNotSupported(2000), "cuDNN 9 CUDNN_STATUS_BAD_PARAM");
        assertFalse(Dnn.isNotSupported(4000), "cuDNN 9 CUDNN_STATUS_INTERNAL_ERROR");
        assertTrue(CudnnOps.retryable(new CudaException("cudnnConvolutionBackwardFilter", 3000, "CUDNN_STATUS_NOT_SUPPORTED", "x")));
        assertFalse(CudnnOps.retryable(new CudaException("cudnnConvolutionForward", 5000, "CUDNN_STATUS_EXECUTION_FAILED", "x")));
        assertFalse(CudnnOps.retryable(new CudaException("cudnnAddTensor", 3000, "CUDNN_STATUS_NOT_SUPPORTED", "x")));
        assertFalse(CudnnOps.retryable(new CudaException("cudnnConvolutionForward is not available: libcudnn.so.9 was not loaded")));
        assertTrue(CudnnOps.retryable(new CudaOutOfMemoryException(1 << 30, 0, 0, new CudaMemoryStats(0, 0, 0, 0, 0))));
    }

    @Test
    void fp32RunsEveryAlgorithmWithFmaMathTf32WithTheReportedOne() {
        assertEquals(Dnn.FMA_MATH, ConvPlan.initialMathType(false));
        assertEquals(Dnn.DEFAULT_MATH, ConvPlan.initialMathType(true));
        for (AlgoPerf p : PERF) {
            assertEquals(Dnn.FMA_MATH, ConvPlan.runMathType(p, false), "FP32 mode, algo " + p.algo());
            assertEquals(p.mathType(), ConvPlan.runMathType(p, true), "TF32 mode, algo " + p.algo());
        }
    }
}
