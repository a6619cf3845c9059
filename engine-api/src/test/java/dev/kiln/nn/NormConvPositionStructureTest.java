package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ops.Conv1dOptions;
import dev.kiln.ops.Conv2dOptions;
import dev.kiln.ops.Padding;
import dev.kiln.ops.PaddingMode;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Device;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LayerNorm, RMSNorm, Conv1d and the positional modules: PyTorch's parameter names, shapes, initial values and argument checks. */
class NormConvPositionStructureTest {
    private final Backend host = HostOnlyBackend.create("host", new Device("host", 0));

    @Test
    void layerNormHasWeightOnesAndBiasZerosOfTheNormalizedShape() {
        try (LayerNorm ln = LayerNorm.builder(3, 4).backend(host).build()) {
            Map<String, Tensor> p = ln.namedParameters();
            assertEquals(List.of("weight", "bias"), List.copyOf(p.keySet()));
            assertArrayEquals(new int[] {3, 4}, p.get("weight").shape());
            assertArrayEquals(new int[] {3, 4}, p.get("bias").shape());
            for (float v : p.get("weight").toFloatArray()) assertEquals(1f, v);
            for (float v : p.get("bias").toFloatArray()) assertEquals(0f, v);
            assertTrue(p.values().stream().allMatch(Tensor::requiresGrad));
            assertTrue(ln.namedBuffers().isEmpty());
            assertEquals("LayerNorm([3, 4], eps=1.0E-5, elementwise_affine=true)", ln.toString());
        }
        try (LayerNorm noBias = LayerNorm.builder(5).bias(false).backend(host).build();
             LayerNorm plain = LayerNorm.builder(5).elementwiseAffine(false).backend(host).build()) {
            assertEquals(List.of("weight"), List.copyOf(noBias.namedParameters().keySet()));
            assertTrue(plain.namedParameters().isEmpty(), "elementwise_affine=false has no parameters");
        }
    }

    @Test
    void rmsNormHasAWeightAndPyTorchsDefaultEps() {
        try (RMSNorm rms = new RMSNorm(new int[] {6}, 1.1920929e-7f, true, host);
             RMSNorm plain = new RMSNorm(new int[] {6}, 1e-6f, false, host)) {
            assertEquals(List.of("weight"), List.copyOf(rms.namedParameters().keySet()));
            assertArrayEquals(new int[] {6}, rms.weight().shape());
            for (float v : rms.weight().toFloatArray()) assertEquals(1f, v);
            assertTrue(plain.namedParameters().isEmpty());
        }
        assertEquals(Math.ulp(1f), dev.kiln.ops.Functional.RMS_NORM_EPS);
        assertEquals(1.1920929e-7f, dev.kiln.ops.Functional.RMS_NORM_EPS, "torch.finfo(torch.float32).eps");
    }

    @Test
    void conv1dHasPyTorchsShapesAndInitialisationBound() {
        try (Conv1d c = new Conv1d(6, 4, 5, Conv1dOptions.defaults().groups(2), true, new Generator(3), host)) {
            Map<String, Tensor> p = c.namedParameters();
            assertEquals(List.of("weight", "bias"), List.copyOf(p.keySet()));
            assertArrayEquals(new int[] {4, 3, 5}, p.get("weight").shape());
            assertArrayEquals(new int[] {4}, p.get("bias").shape());
            double bound = 1 / Math.sqrt(3 * 5);  // fan_in = in/groups * k
            double max = 0;
            for (float v : p.get("weight").toFloatArray()) {
                assertTrue(Math.abs(v) <= bound, v + " outside +-" + bound);
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 0.8 * bound, "max |w| " + max + " far below the bound " + bound);
            for (float v : p.get("bias").toFloatArray()) assertTrue(Math.abs(v) <= bound);
            assertEquals("Conv1d(6, 4, kernel_size=5, stride=1, padding=0, groups=2)", c.toString());
        }
        try (Conv1d c = new Conv1d(2, 2, 3, Conv1dOptions.defaults().paddingSame(), false, new Generator(3), host)) {
            assertEquals(List.of("weight"), List.copyOf(c.namedParameters().keySet()));
        }
    }

    @Test
    void conv1dArgumentErrors() {
        Generator g = new Generator(1);
        Conv1dOptions d = Conv1dOptions.defaults();
        assertMessage(() -> new Conv1d(0, 2, 3, d, true, g, host), "Conv1d", "channels");
        assertMessage(() -> new Conv1d(2, 2, 0, d, true, g, host), "Conv1d", "kernel size");
        assertMessage(() -> new Conv1d(3, 4, 3, d.groups(2), true, g, host), "Conv1d", "groups 2");
        assertMessage(() -> new Conv1d(2, 2, 3, d.paddingSame().stride(2), true, g, host), "Conv1d", "'same'", "stride 2");
        assertMessage(() -> d.stride(0), "conv1d", "stride");
        assertMessage(() -> d.dilation(0), "conv1d", "dilation");
    }

    /** Options map onto a height-1 conv2d: every 1-D setting lands on the width axis. */
    @Test
    void conv1dOptionsBecomeWidthOnlyConv2dOptions() {
        Conv2dOptions o = Conv1dOptions.defaults().stride(3).padding(2).dilation(4).groups(2).paddingMode(PaddingMode.CIRCULAR).toConv2d();
        assertEquals(new Conv2dOptions(1, 3, Padding.of(0, 0, 2, 2), 1, 4, 2, PaddingMode.CIRCULAR), o);
        assertEquals(Padding.same(), Conv1dOptions.defaults().padding(5).paddingSame().toConv2d().padding());
        assertEquals(Padding.valid(), Conv1dOptions.defaults().paddingSame().paddingValid().toConv2d().padding());
    }

    @Test
    void positionalModulesOwnATableOfMaxLenByWidth() {
        try (SinusoidalPositionalEncoding sin = new SinusoidalPositionalEncoding(5, 7, false, host);
             LearnedPositionalEmbedding learned = new LearnedPositionalEmbedding(64, 32, true, new Generator(4), host)) {
            assertTrue(sin.namedParameters().isEmpty());
            assertEquals(List.of("pe"), List.copyOf(sin.stateDict().keySet()));
            Tensor pe = sin.namedBuffers().get("pe");
            assertArrayEquals(new int[] {7, 5}, pe.shape());
            assertFalse(pe.requiresGrad());
            float[] t = pe.toFloatArray();
            // position 0: sin 0 = 0 and cos 0 = 1 alternating; the odd width ends on a sine column
            assertArrayEquals(new float[] {0, 1, 0, 1, 0}, java.util.Arrays.copyOf(t, 5));
            assertEquals((float) Math.sin(3), t[3 * 5], "pe[3, 0] = sin(3)");
            assertEquals((float) Math.cos(3 / Math.pow(10000, 2.0 / 5)), t[3 * 5 + 3], 1e-7f, "pe[3, 3]");
            assertEquals("SinusoidalPositionalEncoding(d_model=5, max_len=7, batch_first=false)", sin.toString());

            assertEquals(List.of("weight"), List.copyOf(learned.namedParameters().keySet()));
            assertArrayEquals(new int[] {64, 32}, learned.weight().shape());
            assertTrue(learned.weight().requiresGrad());
            double sum = 0, sq = 0;
            float[] w = learned.weight().toFloatArray();
            for (float v : w) {
                sum += v;
                sq += v * v;
            }
            double mean = sum / w.length, std = Math.sqrt(sq / w.length - mean * mean);
            assertEquals(0, mean, 0.05, "N(0, 1) mean over 2048 draws");
            assertEquals(1, std, 0.05, "N(0, 1) std over 2048 draws");
        }
        assertMessage(() -> new SinusoidalPositionalEncoding(0, 4, true, host), "SinusoidalPositionalEncoding", "d_model");
        assertMessage(() -> new LearnedPositionalEmbedding(0, 4, true, new Generator(1), host), "LearnedPositionalEmbedding", "max_len");
    }

    @Test
    void normArgumentErrors() {
        assertMessage(() -> LayerNorm.builder(new int[0]).backend(host).build(), "LayerNorm", "at least one dimension");
        assertMessage(() -> LayerNorm.builder(3, 0).backend(host).build(), "LayerNorm", "[3, 0]");
        assertMessage(() -> LayerNorm.builder(3).eps(-1f).backend(host).build(), "LayerNorm", "eps");
        assertMessage(() -> new RMSNorm(new int[0], 1e-5f, true, host), "RMSNorm", "at least one dimension");
    }

    private static void assertMessage(Runnable r, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' lacks '" + f + "'");
    }
}
