package dev.kiln.nn.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.tensor.Generator;
import org.junit.jupiter.api.Test;

/**
 * The token-picking rules on hand-made distributions: greedy (lowest id among ties), temperature,
 * top-k keeping ties with the k-th, top-p as the smallest most-probable set reaching p, and the
 * sampled frequencies of a fixed seed.
 */
class SamplerTest {
    private static final double EPS = 1e-12;

    private static GenerationOptions opts(float temperature, int topK, float topP) {
        return GenerationOptions.builder().temperature(temperature).topK(topK).topP(topP).build();
    }

    /** Logits whose softmax is exactly {@code p} (up to float rounding of the logarithms). */
    private static float[] logitsOf(double... p) {
        float[] z = new float[p.length];
        for (int i = 0; i < p.length; i++) z[i] = (float) Math.log(p[i]);
        return z;
    }

    @Test
    void greedyTakesTheLowestIdAmongTies() {
        GenerationOptions greedy = opts(0f, 0, 1f);
        assertEquals(1, Sampler.next(new float[] {1f, 3f, 3f, 2f}, greedy, new Generator(1)));
        assertEquals(1, Sampler.next(new float[] {Float.NaN, -5f}, greedy, new Generator(1)), "NaN is not picked over a number");
    }

    @Test
    void temperatureDividesTheLogits() {
        float[] z = {1f, 2f, 4f};
        double[] p = Sampler.probabilities(z, opts(2f, 0, 1f));
        double[] e = {Math.exp(0.5), Math.exp(1.0), Math.exp(2.0)};
        double s = e[0] + e[1] + e[2];
        assertArrayEquals(new double[] {e[0] / s, e[1] / s, e[2] / s}, p, EPS);
    }

    @Test
    void topKKeepsTiesWithTheKth() {
        float[] z = {1f, 3f, 3f, 2f, 0f};
        double[] top1 = Sampler.probabilities(z, opts(1f, 1, 1f));
        assertArrayEquals(new double[] {0, 0.5, 0.5, 0, 0}, top1, EPS); // both 3s tie with the first
        double[] top3 = Sampler.probabilities(z, opts(1f, 3, 1f));
        double s = 2 * Math.exp(3) + Math.exp(2);
        assertArrayEquals(new double[] {0, Math.exp(3) / s, Math.exp(3) / s, Math.exp(2) / s, 0}, top3, EPS);
        assertArrayEquals(Sampler.probabilities(z, opts(1f, 0, 1f)), Sampler.probabilities(z, opts(1f, 5, 1f)), EPS, "k = vocabulary: no filter");
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // probabilities 0.1, 0.4, 0.05, 0.3, 0.15 (ids 0..4); sorted: 1 (0.4), 3 (0.3), 4 (0.15), 0 (0.1), 2 (0.05)
        float[] z = logitsOf(0.1, 0.4, 0.05, 0.3, 0.15);
        assertArrayEquals(new double[] {0, 1, 0, 0, 0}, Sampler.probabilities(z, opts(1f, 0, 0.3f)), 1e-6); // 0.4 >= 0.3
        assertArrayEquals(new double[] {0, 4 / 7.0, 0, 3 / 7.0, 0}, Sampler.probabilities(z, opts(1f, 0, 0.5f)), 1e-6); // 0.4 < 0.5 <= 0.7
        assertArrayEquals(new double[] {0, 4 / 7.0, 0, 3 / 7.0, 0}, Sampler.probabilities(z, opts(1f, 0, 0.69f)), 1e-6);
        assertArrayEquals(new double[] {0, 0.4 / 0.85, 0, 0.3 / 0.85, 0.15 / 0.85}, Sampler.probabilities(z, opts(1f, 0, 0.71f)), 1e-6);
        assertArrayEquals(new double[] {0.1, 0.4, 0.05, 0.3, 0.15}, Sampler.probabilities(z, opts(1f, 0, 1f)), 1e-6);
        assertArrayEquals(new double[] {0, 1, 0, 0, 0}, Sampler.probabilities(z, opts(1f, 0, 1e-6f)), 1e-6, "at least one token");
        // top-k first (ids 1 and 3 at k = 2, renormalised to 4/7 and 3/7), then top-p on what is left
        assertArrayEquals(new double[] {0, 1, 0, 0, 0}, Sampler.probabilities(z, opts(1f, 2, 0.55f)), 1e-6);
        // equal probabilities: the lower id comes first
        float[] ties = logitsOf(0.25, 0.25, 0.25, 0.25);
        assertArrayEquals(new double[] {0.5, 0.5, 0, 0}, Sampler.probabilities(ties, opts(1f, 0, 0.4f)), 1e-6);
    }

    @Test
    void samplingFollowsTheDistributionForAFixedSeed() {
        float[] z = logitsOf(0.5, 0.3, 0.2);
        GenerationOptions o = opts(1f, 0, 1f);
        int[] counts = new int[3];
        Generator g = new Generator(42);
        int n = 20000;
        for (int i = 0; i < n; i++) counts[Sampler.next(z, o, g)]++;
        assertEquals(0.5, counts[0] / (double) n, 0.015);
        assertEquals(0.3, counts[1] / (double) n, 0.015);
        assertEquals(0.2, counts[2] / (double) n, 0.015);
        Generator a = new Generator(7), b = new Generator(7);
        for (int i = 0; i < 100; i++) assertEquals(Sampler.next(z, o, a), Sampler.next(z, o, b));
        int[] never = new int[5];
        Generator h = new Generator(3);
        for (int i = 0; i < 2000; i++) never[Sampler.next(logitsOf(0.1, 0.4, 0.05, 0.3, 0.15), opts(1f, 0, 0.5f), h)]++;
        assertEquals(0, never[0] + never[2] + never[4], "filtered tokens are never drawn");
    }

    @Test
    void optionErrors() {
        assertEquals("GenerationOptions: temperature must be finite and >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> opts(-1f, 0, 1f)).getMessage());
        assertEquals("GenerationOptions: topP must be in (0, 1] (1 = off), got 0.0",
                assertThrows(IllegalArgumentException.class, () -> opts(1f, 0, 0f)).getMessage());
        assertEquals("GenerationOptions: topK must be >= 0 (0 = off), got -2",
                assertThrows(IllegalArgumentException.class, () -> opts(1f, -2, 1f)).getMessage());
        assertEquals("GenerationOptions: maxNewTokens must be >= 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> GenerationOptions.builder().maxNewTokens(-1).build()).getMessage());
        assertEquals("GenerationOptions: stopToken must be a token id or -1 (none), got -3",
                assertThrows(IllegalArgumentException.class, () -> GenerationOptions.builder().stopToken(-3).build()).getMessage());
        assertEquals("Sampler: logits must not be empty",
                assertThrows(IllegalArgumentException.class, () -> Sampler.next(new float[0], opts(1f, 0, 1f), new Generator(1))).getMessage());
    }
}
