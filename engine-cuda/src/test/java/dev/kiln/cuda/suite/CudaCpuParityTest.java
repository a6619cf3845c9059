package dev.kiln.cuda.suite;


import dev.kiln.cpu.CpuBackend;
import dev.kiln.cuda.CudaBackend;
import dev.kiln.cuda.CudaUnderTest;
import dev.kiln.cuda.CudaOptions;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.Compare;
import dev.kiln.testing.Inputs;
import dev.kiln.testing.Nd;
import dev.kiln.testing.OpCase;
import dev.kiln.testing.OpCases;
import dev.kiln.testing.SmallCnn;
import dev.kiln.testing.Tolerances;
import dev.kiln.Kiln;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CPU and CUDA on identical inputs: every op sample of the suite forward and backward (the
 * loss {@code sum(R * output)} with one random R), a few training steps of the small CNN, and
 * dropout masks (bit-identical: both backends draw them from the same Philox stream).
 *
 * <p>Tolerances ({@link Tolerances}): both backends round in FP32, in different orders, so
 * forward values may differ by twice the FP32-vs-float64 forward tolerance and gradients by
 * twice the gradient tolerance. When the CUDA backend runs with TF32 ({@code kiln.cuda.tf32} /
 * {@code KILN_CUDA_TF32}), its GEMMs and convolutions keep 10 mantissa bits and
 * {@link Tolerances#PARITY_TF32} applies to every sample, since most ops feed from one.
 */
@Tag("cuda")
class CudaCpuParityTest {
    @RegisterExtension
    static final CudaUnderTest GPU = new CudaUnderTest();

    private static CpuBackend cpu;
    private CudaBackend cuda;

    private static final boolean TF32 = CudaOptions.fromEnvironment().tf32();
    private static final Tolerances.Tol FORWARD = TF32 ? Tolerances.PARITY_TF32 : Tolerances.PARITY_FP32;
    private static final Tolerances.Tol GRADIENT = TF32 ? Tolerances.PARITY_TF32 : Tolerances.PARITY_GRADIENT_FP32;

    @BeforeAll
    static void start() {
        cpu = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    @BeforeEach
    void useGpu() {
        cuda = GPU.require();
    }

    @TestFactory
    Stream<DynamicTest> everyOpForwardAndBackwardAgree() {
        return OpCases.all().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Nd projection = new Inputs(c.name().hashCode()).uniform(c.reference().shape());
            OpCase.Result onCpu = c.run(cpu, projection), onGpu = c.run(cuda, projection);
            Compare.assertClose(c.name() + " forward, cuda vs cpu", Nd.of(onCpu.output(), onCpu.shape()), onGpu.output(), FORWARD);
            for (int i = 0; i < c.inputCount(); i++) {
                if (onCpu.grads()[i] == null) continue;
                Nd expected = Nd.of(onCpu.grads()[i], c.inputs()[i].shape());
                Compare.assertClose(c.name() + " d/d input " + i + ", cuda vs cpu", expected, onGpu.grads()[i], GRADIENT);
            }
        }));
    }

    /** Three SGD steps of conv + batch norm + pool + dropout + linear + cross-entropy: losses, logits, gradients, running stats, weights. */
    @Test
    void smallCnnTrainingStepsAgree() {
        float[] onCpu = SmallCnn.run(cpu, 3, 8, 3), onGpu = SmallCnn.run(cuda, 3, 8, 3);
        Compare.assertClose("small CNN, 3 steps, cuda vs cpu", Nd.of(onCpu, onCpu.length), onGpu, GRADIENT);
    }

    @Test
    void dropoutMasksAreBitIdentical() {
        float[] x = new Inputs(4).uniform(5000).toFloats();
        float[][] out = new float[2][];
        int k = 0;
        for (var b : new dev.kiln.spi.Backend[] {cpu, cuda}) {
            try (var s = Kiln.scope()) {
                out[k++] = Functional.dropout(Tensor.fromArray(b, x, x.length), 0.3f, true, new Generator(99)).toFloatArray();
            }
        }
        Compare.assertBitIdentical("dropout(p=0.3, seed 99), cuda vs cpu", out[0], out[1]);
    }
}
