package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Cross-entropy with {@code ignoreIndex} and per-position targets beyond the sampled cases of
 * {@link CrossEntropyCases}: values and gradients printed by PyTorch 1.13, every position ignored
 * (NaN mean, zero sum and zero gradient, as PyTorch), and the error messages.
 */
public interface CrossEntropyChecks extends BackendUnderTest {
    /** Logits [2, 4, 3] of the PyTorch fixture below. */
    float[] FIXTURE = {0.5f, -1.0f, 2.0f, 1.5f, 0.25f, -0.5f, -2.0f, 0.0f, 1.0f, 0.75f, 1.25f, -1.5f,
        1.0f, 2.0f, -1.0f, -0.5f, 0.5f, 0.0f, 0.25f, -1.25f, 1.75f, 2.5f, -0.75f, 0.5f};

    /**
     * {@code F.cross_entropy(x, t, label_smoothing=0.2)} with x = FIXTURE.view(2, 4, 3) (float64) and
     * t = [[0, -100, 3], [2, 1, -100]], printed by PyTorch 1.13: per-position losses, mean, sum and
     * the mean's gradient.
     */
    @Test
    default void perPositionTargetsMatchPyTorch() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(FIXTURE, 2, 4, 3).requiresGrad(true);
            Tensor t = Tensor.fromLongs(backend(), new long[] {0, -100, 3, 2, 1, -100}, 2, 3);
            Tensor none = Functional.crossEntropy(x, t, Reduction.NONE, 0.2f, -100);
            assertArrayEquals(new int[] {2, 3}, none.shape());
            assertArrayEquals(new float[] {1.6886755f, 0f, 3.5421514f, 2.4583628f, 1.8570404f, 0f}, none.toFloatArray(), 1e-5f);
            assertEquals(9.5462301f, Functional.crossEntropy(x, t, Reduction.SUM, 0.2f, -100).item(), 1e-5f);
            Tensor mean = new CrossEntropyLoss(Reduction.MEAN, 0.2f).apply(x, t);
            assertEquals(2.3865575f, mean.item(), 1e-5f);
            mean.backward();
            float[] expected = {-0.1633299f, 0f, 0.1564005f, 0.1211581f, 0f, 0.0013642f, -0.0084639f, 0f, 0.049635f, 0.0506356f, 0f,
                -0.2073996f, 0.0279715f, 0.1760608f, 0f, -0.0034696f, -0.1704264f, 0f, -0.1933826f, -0.0051887f, 0f, 0.1688807f,
                -0.0004457f, 0f};
            assertArrayEquals(expected, x.grad().toFloatArray(), 1e-6f);
        }
    }

    /** Every target ignored: the mean is 0/0 = NaN, the sum 0, and no gradient reaches the logits (PyTorch's results). */
    @Test
    default void allIgnoredGivesNaNMeanAndZeroGradient() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(FIXTURE, 2, 4, 3).requiresGrad(true);
            Tensor t = Tensor.fromInts(backend(), new int[] {7, 7, 7, 7, 7, 7}, 2, 3);
            Tensor mean = Functional.crossEntropy(x, t, Reduction.MEAN, 0.1f, 7);
            assertTrue(Float.isNaN(mean.item()), "mean over no counted position should be NaN, got " + mean.item());
            mean.backward();
            assertArrayEquals(new float[24], x.grad().toFloatArray());
            assertEquals(0f, Functional.crossEntropy(x, t, Reduction.SUM, 0f, 7).item());
        }
    }

    @Test
    default void crossEntropyErrors() {
        rejects(() -> Functional.crossEntropy(ones(2, 4, 3), Tensor.fromLongs(backend(), new long[] {0, 1, 2, 3, 0, 1, 2, 3}, 2, 4),
                Reduction.MEAN, 0f, -100), "cross_entropy", "[N, C, d1, ...]", "[2, 4, 3]", "[2, 4]");
        rejects(() -> Functional.crossEntropy(ones(4), Tensor.fromLongs(backend(), new long[] {1}, 1), Reduction.MEAN, 0f, -100),
                "cross_entropy", "[C]", "[4]", "[1]");
        rejects(() -> Functional.crossEntropy(ones(2, 4), Tensor.fromBooleans(backend(), new boolean[] {true, false}, 2),
                Reduction.MEAN, 0f, -100), "cross_entropy", "INT64 or INT32", "BOOL");
        // An asynchronous backend may report a bad index at the next synchronisation: item() forces one.
        for (long bad : new long[] {4, -1, -99, 1L << 40}) {
            rejects(() -> Functional.crossEntropy(ones(2, 4, 2), Tensor.fromLongs(backend(), new long[] {0, -100, bad, 1}, 2, 2),
                    Reduction.SUM, 0f, -100).item(), "cross_entropy", "out of range [0, 4)");
        }
        // -100 is a legal target only while it is the ignore index
        rejects(() -> Functional.crossEntropy(ones(2, 4), Tensor.fromLongs(backend(), new long[] {0, -100}, 2), Reduction.SUM, 0f, 3)
                .item(), "cross_entropy", "out of range [0, 4)");
    }
}
