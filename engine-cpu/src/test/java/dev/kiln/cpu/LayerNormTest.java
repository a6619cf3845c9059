package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.random;
import static dev.kiln.cpu.KernelHarness.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.spi.LayerNormSpec;
import dev.kiln.spi.Storage;
import org.junit.jupiter.api.Test;

/**
 * The layer-norm kernel's determinism across thread counts (the parameter gradients are column
 * sums over rows, split into blocks) and its untouched outputs: gradients not asked for are not
 * written, and no rows give zero parameter gradients.
 */
class LayerNormTest {

    /** Every output of forward and backward, bit for bit, with 1, 2 and 5 threads. */
    @Test
    void identicalForEveryThreadCount() {
        for (boolean rms : new boolean[] {false, true}) {
            LayerNormSpec s = new LayerNormSpec(1000, 37, 1e-5f, rms);
            float[][] first = null;
            for (int threads : new int[] {1, 2, 5}) {
                float[][] got = run(threads, s);
                if (first == null) first = got;
                else for (int i = 0; i < got.length; i++) assertArrayEquals(first[i], got[i], (rms ? "rms" : "layer") + " output " + i + ", " + threads + " threads");
            }
        }
    }

    private static float[][] run(int threads, LayerNormSpec s) {
        try (KernelHarness h = new KernelHarness(threads)) {
            int n = (int) s.numel(), c = s.cols();
            Storage x = h.store(random(1, n)), w = h.store(random(2, c)), b = s.rms() ? null : h.store(random(3, c));
            Storage y = h.empty(n), mean = h.empty(s.rows()), inv = h.empty(s.rows());
            h.cpu.layerNorm(s, x, w, b, y, mean, inv);
            Storage gx = h.empty(n), gw = h.empty(c), gb = h.empty(c);
            h.cpu.layerNormBackward(s, x, w, h.store(random(4, n)), mean, inv, gx, gw, gb);
            return new float[][] {read(y), read(mean), read(inv), read(gx), read(gw), s.rms() ? new float[0] : read(gb)};
        }
    }

    @Test
    void onlyTheRequestedGradientsAreWritten() {
        try (KernelHarness h = new KernelHarness(2)) {
            LayerNormSpec s = new LayerNormSpec(3, 4, 1e-5f, false);
            Storage x = h.store(random(1, 12)), y = h.empty(12), mean = h.empty(3), inv = h.empty(3);
            h.cpu.layerNorm(s, x, null, null, y, mean, inv);
            Storage gx = h.empty(12), gb = h.empty(4);
            h.cpu.layerNormBackward(s, x, null, h.store(random(4, 12)), mean, inv, null, null, gb);
            for (float v : read(gx)) assertEquals(Float.NaN, v, "gx was not asked for");
            float[] gy = random(4, 12), sum = new float[4];
            for (int r = 0; r < 3; r++) for (int j = 0; j < 4; j++) sum[j] += gy[r * 4 + j];
            assertArrayEquals(sum, read(gb), 1e-6f);
        }
    }

    @Test
    void noRowsGiveZeroParameterGradients() {
        try (KernelHarness h = new KernelHarness(2)) {
            LayerNormSpec s = new LayerNormSpec(0, 5, 1e-5f, false);
            Storage none = h.empty(0), gw = h.empty(5), gb = h.empty(5);
            h.cpu.layerNormBackward(s, none, null, none, none, none, none, gw, gb);
            assertArrayEquals(new float[5], read(gw));
            assertArrayEquals(new float[5], read(gb));
        }
    }
}
