package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Inverted dropout: a seeded mask (same seed, same mask; the stream advances between calls),
 * drop frequency p within a few standard deviations, survivors scaled by exactly 1/(1-p),
 * gradients through the same mask, and identity when not training.
 */
public interface DropoutChecks extends BackendUnderTest {
    /** Elements for the statistics (several parallel chunks): the drop fraction's standard deviation is sqrt(p(1-p)/n) <= 0.002. */
    int STAT_N = 70_000;

    private float[] dropout(float[] x, float p, Generator g) {
        try (var s = Kiln.scope()) {
            return Functional.dropout(tensor(x, x.length), p, true, g).toFloatArray();
        }
    }

    @Test
    default void sameSeedSameMask() {
        float[] x = new Inputs(11).uniform(1000).toFloats();
        float[] a = dropout(x, 0.5f, new Generator(42)), b = dropout(x, 0.5f, new Generator(42));
        Compare.assertBitIdentical("dropout with seed 42 twice", a, b);
        assertFalse(Arrays.equals(a, dropout(x, 0.5f, new Generator(43))), "seeds 42 and 43 gave the same mask");
        Generator g = new Generator(42);
        float[] first = dropout(x, 0.5f, g), second = dropout(x, 0.5f, g);
        assertFalse(Arrays.equals(first, second), "one generator gave the same mask twice: the stream did not advance");
    }

    @Test
    default void maskStatisticsAndScaling() {
        float[] ones = new float[STAT_N];
        Arrays.fill(ones, 1f);
        for (float p : new float[] {0.1f, 0.3f, 0.5f, 0.8f}) {
            float[] y = dropout(ones, p, new Generator((long) (p * 1000)));
            float keep = 1f / (1f - p);
            int dropped = 0;
            double sum = 0;
            for (float v : y) {
                if (v == 0f) dropped++;
                else assertEquals(1.0 / (1.0 - p), v, 1e-6 * keep, "survivor of p=" + p + " scaled by 1/(1-p)");
                sum += v;
            }
            double sd = Math.sqrt(p * (1 - p) / STAT_N);
            assertEquals(p, (double) dropped / STAT_N, 5 * sd, "fraction dropped at p=" + p);
            // E[y] = 1: inverted dropout keeps the expectation; sd of the mean is sqrt(p/(1-p)/n).
            assertEquals(1.0, sum / STAT_N, 5 * Math.sqrt(p / (1 - p) / STAT_N), "mean of dropout(ones) at p=" + p);
        }
    }

    @Test
    default void survivorsAreScaledInputsAndGradientsUseTheMask() {
        float p = 0.25f;
        Nd xv = new Inputs(12).awayFromZero(0.1, 1, 8, 16);
        Nd r = new Inputs(13).uniform(8, 16);
        try (var s = Kiln.scope()) {
            Tensor x = tensor(xv).requiresGrad(true);
            Tensor y = Functional.dropout(x, p, true, new Generator(7));
            y.backward(tensor(r));
            float[] out = y.toFloatArray(), grad = x.grad().toFloatArray();
            for (int i = 0; i < out.length; i++) {
                boolean kept = out[i] != 0f;
                double expectOut = kept ? xv.at(i) / (1 - (double) p) : 0;
                double expectGrad = kept ? r.at(i) / (1 - (double) p) : 0;
                assertEquals(expectOut, out[i], 1e-6, "output " + i);
                assertEquals(expectGrad, grad[i], 1e-6, "gradient " + i);
            }
        }
    }

    @Test
    default void evalAndZeroProbabilityAreIdentity() {
        try (var s = Kiln.scope()) {
            float[] v = new Inputs(14).uniform(5, 7).toFloats();
            Tensor x = tensor(v, 5, 7);
            assertSame(x, Functional.dropout(x, 0.5f, false, new Generator(1)), "eval mode returns the input");
            assertArrayEquals(v, Functional.dropout(x, 0.5f, false, new Generator(1)).toFloatArray());
            assertArrayEquals(v, Functional.dropout(x, 0f, true, new Generator(1)).toFloatArray(), "p = 0 keeps everything");
        }
    }

    @Test
    default void probabilityOneDropsEverything() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[] {1, -2, 3, 4}, 4).requiresGrad(true);
            Tensor y = Functional.dropout(x, 1f, true, new Generator(1));
            assertArrayEquals(new float[4], y.toFloatArray());
            y.sum().backward();
            assertArrayEquals(new float[4], x.grad().toFloatArray());
            assertTrue(y.requiresGrad());
        }
    }
}
