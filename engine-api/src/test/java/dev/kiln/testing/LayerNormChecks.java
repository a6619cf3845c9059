package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.Kiln;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.LearnedPositionalEmbedding;
import dev.kiln.nn.RMSNorm;
import dev.kiln.nn.SinusoidalPositionalEncoding;
import dev.kiln.ops.Conv1dOptions;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Layer norm, RMS norm, conv1d and the positional modules beyond the samples of
 * {@link LayerNormCases}: worked values, gradients that must vanish, the positional tables
 * (written here from the paper's exp/log form, not the module's pow form) and their gradients,
 * and every error message.
 */
public interface LayerNormChecks extends BackendUnderTest {

    /** Row [1, 2, 3]: mean 2, biased variance 2/3, so y = [-1, 0, 1] * sqrt(3/2) / sqrt(1 + 1.5 eps). */
    @Test
    default void layerNormWorkedValues() {
        try (var s = Kiln.scope()) {
            float[] y = Functional.layerNorm(tensor(new float[] {1, 2, 3, 10, 10, 10}, 2, 3), 3).toFloatArray();
            double a = 1 / Math.sqrt(2.0 / 3 + 1e-5);
            assertArrayEquals(new float[] {(float) -a, 0f, (float) a, 0f, 0f, 0f}, y, 1e-6f);
            // RMS of [3, 4]: sqrt(12.5); weight [1, 2]
            float[] r = Functional.rmsNorm(tensor(new float[] {3, 4}, 1, 2), new int[] {2}, tensor(new float[] {1, 2}, 2), 0f).toFloatArray();
            assertArrayEquals(new float[] {(float) (3 / Math.sqrt(12.5)), (float) (8 / Math.sqrt(12.5))}, r, 1e-6f);
        }
    }

    /** The normalised output is invariant to shifting a row, so sum(y) has zero input gradient whatever the weight. */
    @Test
    default void layerNormInputGradientSumsToZeroPerRow() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new Inputs(5).between(-2, 2, 3, 8)).requiresGrad(true);
            Tensor w = tensor(new Inputs(6).between(0.5, 1.5, 8));
            Functional.layerNorm(x, new int[] {8}, w, null, 1e-5f).mul(tensor(new Inputs(7).uniform(3, 8))).sum().backward();
            float[] g = x.grad().toFloatArray();
            for (int r = 0; r < 3; r++) {
                double sum = 0;
                for (int j = 0; j < 8; j++) sum += g[r * 8 + j];
                assertEquals(0, sum, 1e-5, "row " + r + " of the gradient");
            }
        }
    }

    @Test
    default void layerNormModulesMatchTheFunctionalForm() {
        try (var s = Kiln.scope(); LayerNorm ln = LayerNorm.builder(2, 3).backend(backend()).build();
             RMSNorm rms = new RMSNorm(new int[] {3}, Functional.RMS_NORM_EPS, true, backend())) {
            Tensor x = tensor(new Inputs(8).between(-2, 2, 4, 2, 3));
            assertArrayEquals(Functional.layerNorm(x, 2, 3).toFloatArray(), ln.forward(x).toFloatArray(), 0f);
            assertArrayEquals(Functional.rmsNorm(x, new int[] {3}, null).toFloatArray(), rms.forward(x).toFloatArray(), 0f);
            assertEquals(1.1920929e-7f, rms.eps(), "torch.finfo(torch.float32).eps");
        }
    }

    @Test
    default void layerNormErrors() {
        rejects(() -> Functional.layerNorm(ones(2, 3), 4), "layer_norm", "[*, 4]", "[2, 3]");
        rejects(() -> Functional.layerNorm(ones(3), 2, 3), "layer_norm", "[*, 2, 3]", "[3]");
        rejects(() -> Functional.layerNorm(ones(2, 3), new int[0]), "layer_norm", "at least one dimension");
        rejects(() -> Functional.layerNorm(ones(2, 3), new int[] {3}, ones(4), null, 1e-5f), "layer_norm", "weight", "[4]", "expected [3]");
        rejects(() -> Functional.layerNorm(ones(2, 3), new int[] {3}, null, ones(3, 1), 1e-5f), "layer_norm", "bias", "[3, 1]");
        rejects(() -> Functional.layerNorm(ones(2, 3), new int[] {3}, null, null, -1f), "layer_norm", "eps", "-1.0");
        rejects(() -> Functional.rmsNorm(ones(2, 3), new int[] {2}, null), "rms_norm", "[*, 2]", "[2, 3]");
        rejects(() -> Functional.rmsNorm(ones(2, 3), new int[] {3}, ones(2)), "rms_norm", "weight", "[2]");
        rejects(() -> Functional.layerNorm(Tensor.fromInts(backend(), new int[] {1, 2}, 2), 2), "layer_norm", "FLOAT32", "INT32");
    }

    @Test
    default void conv1dErrors() {
        Conv1dOptions d = Conv1dOptions.defaults();
        rejects(() -> Functional.conv1d(ones(2, 3), ones(4, 3, 3), null, d), "conv1d", "3-D input [N, C, L]", "[2, 3]");
        rejects(() -> Functional.conv1d(ones(1, 3, 8), ones(4, 3, 1, 3), null, d), "conv1d", "3-D weight", "[4, 3, 1, 3]");
        rejects(() -> Functional.conv1d(ones(1, 2, 8), ones(4, 3, 3), null, d), "conv1d", "input has 2 channels", "expects 3");
        rejects(() -> Functional.conv1d(ones(1, 4, 8), ones(3, 2, 3), null, d.groups(2)), "conv1d", "out_channels=3", "groups=2");
        rejects(() -> Functional.conv1d(ones(1, 3, 8), ones(4, 3, 3), ones(3), d), "conv1d", "bias", "[3]", "expected [4]");
        rejects(() -> Functional.conv1d(ones(1, 3, 4), ones(4, 3, 3), null, d.dilation(2)), "conv1d", "kernel size 5", "length 4");
        rejects(() -> Functional.conv1d(ones(1, 3, 8), ones(4, 3, 3), null, d.paddingSame().stride(2)), "conv1d", "'same'", "stride 2");
        rejects(() -> Conv1dOptions.defaults().padding(-1), "conv1d", "padding", "-1");
    }

    /** Output = input + table rows, in both layouts; the table is the paper's, computed here as sin(pos * exp(-2i ln(10000) / D)). */
    @Test
    default void sinusoidalEncodingAddsThePapersTable() {
        int d = 6, t = 5;
        try (var s = Kiln.scope(); SinusoidalPositionalEncoding bf = new SinusoidalPositionalEncoding(d, 16, true, backend());
             SinusoidalPositionalEncoding sf = new SinusoidalPositionalEncoding(d, 16, false, backend())) {
            float[] x = new Inputs(9).uniform(2, t, d).toFloats();
            float[] y = bf.forward(tensor(x, 2, t, d)).toFloatArray();
            float[] ySeqFirst = sf.forward(tensor(x, t, 2, d)).toFloatArray();
            for (int b = 0; b < 2; b++) {
                for (int p = 0; p < t; p++) {
                    for (int j = 0; j < d; j++) {
                        double freq = Math.exp(-(j - j % 2) * Math.log(10000.0) / d);
                        double pe = j % 2 == 0 ? Math.sin(p * freq) : Math.cos(p * freq);
                        int bi = (b * t + p) * d + j;
                        assertEquals(x[bi] + pe, y[bi], 1e-6, "batch-first [" + b + ", " + p + ", " + j + "]");
                        int sIdx = (p * 2 + b) * d + j;
                        assertEquals(x[sIdx] + pe, ySeqFirst[sIdx], 1e-6, "sequence-first [" + p + ", " + b + ", " + j + "]");
                    }
                }
            }
            assertEquals(0, bf.parameters().size(), "the table is a buffer, not a parameter");
            assertArrayEquals(new int[] {16, d}, bf.namedBuffers().get("pe").shape());
        }
    }

    /** y = x + weight[:T]; d(sum(y * R))/d weight[p] = sum over the batch of R[:, p], and zero past T. */
    @Test
    default void learnedEmbeddingGradientReachesTheFirstTRows() {
        int d = 3, t = 2, maxLen = 4;
        try (var s = Kiln.scope();
             LearnedPositionalEmbedding pe = new LearnedPositionalEmbedding(maxLen, d, true, new Generator(3), backend())) {
            float[] w = pe.weight().toFloatArray();
            float[] x = new Inputs(10).uniform(2, t, d).toFloats();
            float[] r = new Inputs(11).uniform(2, t, d).toFloats();
            Tensor y = pe.forward(tensor(x, 2, t, d));
            float[] yv = y.toFloatArray();
            for (int i = 0; i < yv.length; i++) assertEquals(x[i] + w[i % (t * d)], yv[i], 1e-6, "element " + i);
            y.mul(tensor(r, 2, t, d)).sum().backward();
            float[] g = pe.weight().grad().toFloatArray();
            for (int p = 0; p < maxLen; p++) {
                for (int j = 0; j < d; j++) {
                    double expected = p < t ? r[p * d + j] + r[(t + p) * d + j] : 0;
                    assertEquals(expected, g[p * d + j], 1e-6, "weight grad [" + p + ", " + j + "]");
                }
            }
            pe.weight().zeroGrad();
        }
    }

    @Test
    default void positionalErrors() {
        try (SinusoidalPositionalEncoding sin = new SinusoidalPositionalEncoding(4, 3, true, backend());
             LearnedPositionalEmbedding learned = new LearnedPositionalEmbedding(3, 4, false, new Generator(1), backend())) {
            rejects(() -> sin.forward(ones(2, 5, 4)), "SinusoidalPositionalEncoding", "sequence length 5 exceeds max_len 3");
            rejects(() -> sin.forward(ones(2, 3, 5)), "SinusoidalPositionalEncoding", "[B, T, 4]", "[2, 3, 5]");
            rejects(() -> learned.forward(ones(4, 2, 4)), "LearnedPositionalEmbedding", "sequence length 4 exceeds max_len 3", "[T, B, 4]");
            rejects(() -> learned.forward(ones(3, 4)), "LearnedPositionalEmbedding", "expected input [T, B, 4]", "[3, 4]");
            assertNull(learned.weight().grad());
        }
    }
}
