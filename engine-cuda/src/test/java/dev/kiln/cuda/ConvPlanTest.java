package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.cuda.ffi.Dnn;
import dev.kiln.cuda.ffi.Dnn.AlgoPerf;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Algorithm filtering and workspace-aware choice (pure parts of the cuDNN path). */
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

    @Test
    void picksFirstThatFitsInHalfTheFreeMemoryElseSmallest() {
        List<ConvPlan.Algo> sized = List.of(new ConvPlan.Algo(7, 1000, Dnn.FMA_MATH), new ConvPlan.Algo(1, 300, Dnn.FMA_MATH),
                new ConvPlan.Algo(0, 0, Dnn.FMA_MATH));
        assertEquals(7, ConvPlan.pick(sized, 4000).algo());
        assertEquals(1, ConvPlan.pick(sized, 1000).algo());
        assertEquals(0, ConvPlan.pick(sized, 0).algo());
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
