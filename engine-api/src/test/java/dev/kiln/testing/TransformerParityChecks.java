package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.io.TensorFile;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.Module;
import dev.kiln.nn.TransformerEncoder;
import dev.kiln.nn.TransformerEncoderLayer;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * nn.TransformerEncoderLayer and nn.TransformerEncoder against PyTorch 1.13: fixtures written by
 * {@code bench/peers/torch_transformer_fixtures.py} (state dict, input, masks, output, gradients of a
 * fixed scalar loss for the input and every parameter) are loaded strictly through a safetensors file
 * with PyTorch's names, run, and compared at float32 tolerances; the reverse direction checks that
 * Kiln's state dict has exactly PyTorch's keys and shapes. Post-norm with ReLU and a causal mask,
 * pre-norm with GELU and key padding, and a two-layer pre-norm stack with a final norm.
 */
public interface TransformerParityChecks extends BackendUnderTest {
    /** Kiln vs PyTorch, both float32, through two layer norms and attention: a little looser than one layer. */
    Tolerances.Tol TEL_FORWARD = new Tolerances.Tol(2e-5, 2e-5, "Kiln vs PyTorch float32 transformer forward");
    /** Gradients through every sub-layer. */
    Tolerances.Tol TEL_GRADIENT = new Tolerances.Tol(2e-4, 5e-5, "Kiln vs PyTorch float32 transformer gradients");

    private void transformerParity(String name) throws IOException {
        transformerParity(name, false, false);
    }

    /**
     * One fixture; {@code boolMasks} passes the stored additive masks (0 / -inf) as the BOOL masks
     * they stand for (True = ignored), {@code causal} replaces the stored causal mask by {@code isCausal}.
     */
    private void transformerParity(String name, boolean boolMasks, boolean causal) throws IOException {
        try (var s = Kiln.scope(); TensorFile f = TorchFixtures.read(name, backend())) {
            Map<String, Tensor> t = f.tensors();
            Map<String, String> meta = f.metadata();
            int d = Integer.parseInt(meta.get("d_model")), layers = Integer.parseInt(meta.get("num_layers"));
            TransformerEncoderLayer.Builder b = TransformerEncoderLayer.builder(d, Integer.parseInt(meta.get("nhead")))
                    .dimFeedforward(Integer.parseInt(meta.get("dim_feedforward"))).dropout(0f)
                    .activation(meta.get("activation").equals("gelu") ? TransformerEncoderLayer.Activation.GELU : TransformerEncoderLayer.Activation.RELU)
                    .batchFirst(Boolean.parseBoolean(meta.get("batch_first").toLowerCase()))
                    .normFirst(Boolean.parseBoolean(meta.get("norm_first").toLowerCase()))
                    .generator(new Generator(5)).backend(backend());
            boolean finalNorm = Boolean.parseBoolean(meta.get("final_norm").toLowerCase());
            try (Module m = layers == 0 ? b.build()
                    : new TransformerEncoder(b, layers, finalNorm ? LayerNorm.builder(d).backend(backend()).build() : null)) {
                TorchFixtures.loadTorchState(t, m, name);
                Tensor src = t.get("input.src").requiresGrad(true);
                Tensor mask = t.get("input.mask"), padding = t.get("input.key_padding_mask");
                if (causal) mask = null;
                if (boolMasks && mask != null) mask = mask.eq(Float.NEGATIVE_INFINITY);
                if (boolMasks && padding != null) padding = padding.eq(Float.NEGATIVE_INFINITY);
                Tensor out = m instanceof TransformerEncoder enc ? enc.forward(src, mask, padding, causal)
                        : ((TransformerEncoderLayer) m).forward(src, mask, padding, causal);
                Compare.assertClose(name + ": output", TorchFixtures.nd(t.get("output")), out, TEL_FORWARD);
                out.mul(t.get("loss.output")).sum().backward();
                TorchFixtures.assertGradients(t, Map.of("src", src), m, name, TEL_GRADIENT);
            }
        }
    }

    /** PyTorch's default post-norm block with ReLU, sequence-first, a causal additive mask. */
    @Test
    default void transformerEncoderLayerPostNormMatchesPyTorch() throws IOException {
        transformerParity("tel_post_relu_causal.safetensors");
    }

    /** The block and the stack given their causal masks as BOOL (True above the diagonal), and as isCausal without a mask. */
    @Test
    default void transformerBoolCausalMaskAndIsCausalMatchPyTorch() throws IOException {
        transformerParity("tel_post_relu_causal.safetensors", true, false);
        transformerParity("tel_post_relu_causal.safetensors", false, true);
        transformerParity("tenc_pre_gelu_norm.safetensors", true, false);
        transformerParity("tenc_pre_gelu_norm.safetensors", false, true);
    }

    /** The pre-norm block with a BOOL key padding mask (True = padding). */
    @Test
    default void transformerBoolPaddingMatchesPyTorch() throws IOException {
        transformerParity("tel_pre_gelu_padding.safetensors", true, false);
    }

    /** Pre-norm (GPT-2, ViT) with GELU, batch-first, a key padding mask. */
    @Test
    default void transformerEncoderLayerPreNormMatchesPyTorch() throws IOException {
        transformerParity("tel_pre_gelu_padding.safetensors");
    }

    /** Two pre-norm layers and a final LayerNorm: names layers.0..., layers.1..., norm.*. */
    @Test
    default void transformerEncoderStackMatchesPyTorch() throws IOException {
        transformerParity("tenc_pre_gelu_norm.safetensors");
    }

    /** Defaults are PyTorch's; options are checked when built. */
    @Test
    default void transformerEncoderLayerDefaultsAndErrors() {
        try (TransformerEncoderLayer l = TransformerEncoderLayer.builder(8, 2).generator(new Generator(1)).backend(backend()).build()) {
            assertArrayEquals(new int[] {2048, 8}, l.stateDict().get("linear1.weight").shape());
            assertEquals(TransformerEncoderLayer.Activation.RELU, l.activation());
            assertTrue(!l.normFirst());
            assertEquals(12, l.stateDict().size());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> TransformerEncoderLayer.builder(8, 3).backend(backend()).build());
        assertEquals("MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim 8 and num_heads 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TransformerEncoderLayer.builder(8, 2).dropout(1f).build());
        assertEquals("TransformerEncoderLayer: dropout must be in [0, 1), got 1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TransformerEncoder(TransformerEncoderLayer.builder(8, 2), 0));
        assertEquals("TransformerEncoder: num_layers must be >= 1, got 0", e.getMessage());
    }
}
