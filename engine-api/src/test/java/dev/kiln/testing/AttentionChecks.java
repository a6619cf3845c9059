package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.ops.AttentionOptions;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Fused attention beyond the float cases of {@link AttentionCases}: dropout repeats for a seed
 * (forward and the mask regenerated in backward) and averages to the no-dropout result, dropout 1
 * gives zeros, a fully masked row gives zeros (not NaN) with zero gradients, causal masking is the
 * top-left aligned lower triangle, a BOOL mask gives the bits of its additive form, and bad arguments
 * give messages naming what was expected.
 */
public interface AttentionChecks extends BackendUnderTest {

    /** Output, then the gradients of q, k and v for {@code sum(w * out)}, concatenated. */
    private float[] attend(Nd q, Nd k, Nd v, AttentionOptions o, boolean withGrads) {
        try (var s = Kiln.scope()) {
            Tensor tq = tensor(q).requiresGrad(withGrads), tk = tensor(k).requiresGrad(withGrads), tv = tensor(v).requiresGrad(withGrads);
            Tensor out = Functional.scaledDotProductAttention(tq, tk, tv, o);
            float[] y = out.toFloatArray();
            if (!withGrads) return y;
            out.mul(tensor(new Inputs(3).uniform(out.shape()))).sum().backward();
            float[][] parts = {y, tq.grad().toFloatArray(), tk.grad().toFloatArray(), tv.grad().toFloatArray()};
            return Arrays.stream(parts).reduce(new float[0], (a, b) -> {
                float[] c = Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, c, a.length, b.length);
                return c;
            });
        }
    }

    @Test
    default void attentionDropoutRepeatsForASeed() {
        Inputs in = new Inputs(21);
        Nd q = in.uniform(2, 2, 6, 4), k = in.uniform(2, 2, 7, 4), v = in.uniform(2, 2, 7, 3);
        AttentionOptions o = AttentionOptions.defaults().dropoutP(0.4f);
        float[] a = attend(q, k, v, o.generator(new Generator(42)), true), b = attend(q, k, v, o.generator(new Generator(42)), true);
        Compare.assertBitIdentical("attention dropout with seed 42 twice (output and gradients)", a, b);
        assertFalse(Arrays.equals(a, attend(q, k, v, o.generator(new Generator(43)), true)), "seeds 42 and 43 gave the same result");
        Generator g = new Generator(42);
        float[] first = attend(q, k, v, o.generator(g), false), second = attend(q, k, v, o.generator(g), false);
        assertFalse(Arrays.equals(first, second), "one generator gave the same dropout twice: the stream did not advance");
    }

    /**
     * Inverted dropout keeps the expectation: the mean over n seeds of the output approaches the
     * float64 result without dropout, within 5 standard errors (measured from the samples).
     */
    @Test
    default void attentionDropoutAveragesToTheExpectation() {
        Inputs in = new Inputs(22);
        Nd q = in.uniform(1, 3, 4), k = in.uniform(1, 5, 4), v = in.uniform(1, 5, 2);
        double[] expected = RefAttention.sdpa(q, k, v, null, false, Double.NaN).data();
        int n = 400;
        double[] sum = new double[expected.length], sq = new double[expected.length];
        Generator g = new Generator(5);
        for (int t = 0; t < n; t++) {
            float[] y = attend(q, k, v, AttentionOptions.defaults().dropoutP(0.25f).generator(g), false);
            for (int i = 0; i < y.length; i++) {
                sum[i] += y[i];
                sq[i] += (double) y[i] * y[i];
            }
        }
        for (int i = 0; i < expected.length; i++) {
            double mean = sum[i] / n, sd = Math.sqrt(Math.max(0, sq[i] / n - mean * mean));
            assertEquals(expected[i], mean, 5 * sd / Math.sqrt(n) + 1e-6, "mean over " + n + " dropout draws, element " + i);
        }
    }

    @Test
    default void attentionDropoutOneGivesZeros() {
        Inputs in = new Inputs(23);
        float[] r = attend(in.uniform(2, 3, 4), in.uniform(2, 5, 4), in.uniform(2, 5, 2),
                AttentionOptions.defaults().dropoutP(1f).generator(new Generator(1)), true);
        for (float x : r) assertEquals(0f, x, "dropout 1 drops every weight: output and gradients are 0");
    }

    /** PyTorch's math path (_safe_softmax) gives 0 for a query whose every key is masked; a plain softmax would give NaN. */
    @Test
    default void attentionFullyMaskedRowIsZeroNotNaN() {
        Inputs in = new Inputs(24);
        Nd mask = Nd.zeros(3, 4);
        Arrays.fill(mask.data(), 4, 8, Double.NEGATIVE_INFINITY); // query 1 sees nothing
        try (var s = Kiln.scope()) {
            Tensor q = tensor(in.uniform(3, 2)).requiresGrad(true), k = tensor(in.uniform(4, 2)), v = tensor(in.uniform(4, 2));
            Tensor out = Functional.scaledDotProductAttention(q, k, v, AttentionOptions.defaults().attnMask(tensor(mask)));
            float[] y = out.toFloatArray();
            assertEquals(0f, y[2]);
            assertEquals(0f, y[3]);
            for (float x : y) assertFalse(Float.isNaN(x), "NaN in " + Arrays.toString(y));
            out.sum().backward();
            float[] gq = q.grad().toFloatArray();
            assertEquals(0f, gq[2]);
            assertEquals(0f, gq[3]);
            for (float x : gq) assertFalse(Float.isNaN(x), "NaN in the query gradient " + Arrays.toString(gq));
        }
    }

    /** With identity values the output is the weight matrix: zero above the diagonal j > i, rows summing to 1 (L 3, S 5). */
    @Test
    default void attentionCausalIsTopLeftTril() {
        Nd eye = Nd.zeros(5, 5);
        for (int j = 0; j < 5; j++) eye.data()[j * 5 + j] = 1;
        Inputs in = new Inputs(25);
        float[] w = attend(in.uniform(3, 4), in.uniform(5, 4), eye, AttentionOptions.defaults().causal(true), false);
        for (int i = 0; i < 3; i++) {
            double rowSum = 0;
            for (int j = 0; j < 5; j++) {
                if (j > i) assertEquals(0f, w[i * 5 + j], "weight of key " + j + " for query " + i);
                else assertTrue(w[i * 5 + j] > 0f, "weight of key " + j + " for query " + i);
                rowSum += w[i * 5 + j];
            }
            assertEquals(1.0, rowSum, 1e-6, "row " + i);
        }
        assertEquals(1f, w[0], 0f, "query 0 sees only key 0");
    }

    /** A BOOL mask (read as bytes) and its additive form (0 / -inf) give the same bits: s + 0 is s, and both hide a key as -inf. */
    @Test
    default void attentionBoolMaskMatchesItsAdditiveFormBitForBit() {
        Inputs in = new Inputs(26);
        Nd q = in.uniform(2, 2, 5, 4), k = in.uniform(2, 2, 7, 4), v = in.uniform(2, 2, 7, 3);
        boolean[] keep = new boolean[2 * 7];
        float[] additive = new float[keep.length];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = i % 3 != 2;
            additive[i] = keep[i] ? 0f : Float.NEGATIVE_INFINITY;
        }
        try (var s = Kiln.scope()) {
            Tensor bool = Tensor.fromBooleans(backend(), keep, 2, 1, 1, 7), add = tensor(additive, 2, 1, 1, 7);
            AttentionOptions o = AttentionOptions.defaults().dropoutP(0.3f);
            Compare.assertBitIdentical("BOOL vs additive key padding mask (output and gradients, dropout seed 8)",
                    attend(q, k, v, o.attnMask(add).generator(new Generator(8)), true),
                    attend(q, k, v, o.attnMask(bool).generator(new Generator(8)), true));
        }
    }

    @Test
    default void attentionErrors() {
        AttentionOptions d = AttentionOptions.defaults();
        rejects(() -> Functional.scaledDotProductAttention(ones(2, 3, 4), ones(3, 4), ones(3, 4)), "scaled_dot_product_attention",
                "of one rank", "[2, 3, 4], [3, 4] and [3, 4]");
        rejects(() -> Functional.scaledDotProductAttention(ones(4), ones(4), ones(4)), "scaled_dot_product_attention", "at least 2");
        rejects(() -> Functional.scaledDotProductAttention(ones(2, 3, 4), ones(3, 5, 4), ones(3, 5, 4)), "same batch dimensions");
        rejects(() -> Functional.scaledDotProductAttention(ones(3, 4), ones(5, 6), ones(5, 4)), "same embedding size E",
                "query [3, 4] has 4, key [5, 6] has 6");
        rejects(() -> Functional.scaledDotProductAttention(ones(3, 4), ones(5, 4), ones(6, 4)), "same sequence length S",
                "key [5, 4] has 5, value [6, 4] has 6");
        rejects(() -> Functional.scaledDotProductAttention(ones(3, 4), ones(5, 4), ones(5, 4), d.attnMask(ones(3, 4))),
                "attnMask of shape [3, 4] is not broadcastable", "[3, 5]");
        rejects(() -> Functional.scaledDotProductAttention(ones(3, 4), ones(5, 4), ones(5, 4), d.attnMask(ones(2, 1, 3, 5))),
                "attnMask of shape [2, 1, 3, 5] is not broadcastable");
        rejects(() -> Functional.scaledDotProductAttention(ones(3, 4), ones(5, 4), ones(5, 4), d.attnMask(ones(3, 5)).causal(true)),
                "attnMask and isCausal cannot both be set");
        rejects(() -> Functional.scaledDotProductAttention(ones(3, 4).requiresGrad(true), ones(5, 4), ones(5, 4),
                d.attnMask(ones(3, 5).requiresGrad(true))), "attnMask of shape [3, 5] requires grad", "detach()");
        rejects(() -> d.dropoutP(1.5f), "dropout_p must be in [0, 1], got 1.5");
        rejects(() -> Functional.scaledDotProductAttention(ones(3, 4), ones(5, 4), ones(5, 4),
                d.attnMask(Tensor.fromLongs(backend(), new long[15], 3, 5))), "attnMask must be BOOL or FLOAT32, got INT64");
        rejects(() -> Functional.scaledDotProductAttention(ones(3, 4), ones(5, 4), ones(5, 4),
                d.attnMask(Tensor.fromBooleans(backend(), new boolean[15], 3, 5)).causal(true)), "attnMask and isCausal cannot both be set");
        rejects(() -> Functional.scaledDotProductAttention(Tensor.fromInts(backend(), new int[] {1, 2}, 1, 2), ones(1, 2), ones(1, 2)),
                "scaled_dot_product_attention", "FLOAT32", "INT32");
        rejects(() -> Functional.scaledDotProductAttention(ones(3, 4), null, ones(5, 4)), "key must not be null");
        rejects(() -> Functional.scaledDotProductAttention(ones(3, 4), ones(5, 4), ones(5, 4), null), "options must not be null");
    }
}
