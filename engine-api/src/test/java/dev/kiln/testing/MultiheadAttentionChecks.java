package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.io.TensorFile;
import dev.kiln.nn.MultiheadAttention;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * nn.MultiheadAttention against PyTorch 1.13: fixtures written by
 * {@code bench/peers/torch_attention_fixtures.py} (state dict, inputs, masks, output, head-averaged
 * weights, and the gradients of a fixed scalar loss for every input and parameter) are loaded into a
 * Kiln layer through a safetensors checkpoint with PyTorch's names (strict), run, and compared at
 * float32 tolerances; the reverse direction checks that Kiln's own state dict has exactly PyTorch's
 * keys and shapes. Boolean masks (True = ignore) are checked the same way, alone and mixed with a
 * float mask, and causal masking against its explicit mask. Also PyTorch's initialisation and
 * composition in {@link Sequential}.
 */
public interface MultiheadAttentionChecks extends BackendUnderTest {
    /** Kiln vs PyTorch, both float32: the two sum in different orders, so each is off the exact value by ~1e-6 relative. */
    Tolerances.Tol TORCH_FORWARD = new Tolerances.Tol(1e-5, 1e-5, "Kiln vs PyTorch float32 forward");
    /** Gradients sum over every output and position, so rounding differences grow (as {@link Tolerances#GRADIENT}). */
    Tolerances.Tol TORCH_GRADIENT = new Tolerances.Tol(1e-4, 2e-5, "Kiln vs PyTorch float32 gradients");

    private void parity(String fixture) throws IOException {
        parity(fixture, false);
    }

    /**
     * One fixture; with {@code boolPadding}, the stored additive key padding mask (0 / -inf) is passed
     * as the BOOL mask it stands for (True = ignore), mixed with the float attention mask.
     */
    private void parity(String fixture, boolean boolPadding) throws IOException {
        try (var s = Kiln.scope(); TensorFile f = TorchFixtures.read(fixture, backend())) {
            Map<String, Tensor> t = f.tensors();
            Map<String, String> meta = f.metadata();
            int e = Integer.parseInt(meta.get("embed_dim"));
            boolean bias = Boolean.parseBoolean(meta.get("bias").toLowerCase()), batchFirst = Boolean.parseBoolean(meta.get("batch_first").toLowerCase());
            boolean self = Boolean.parseBoolean(meta.get("self_attention").toLowerCase()), needWeights = Boolean.parseBoolean(meta.get("need_weights").toLowerCase());
            try (MultiheadAttention mha = MultiheadAttention.builder(e, Integer.parseInt(meta.get("num_heads"))).bias(bias)
                    .batchFirst(batchFirst).kdim(Integer.parseInt(meta.get("kdim"))).vdim(Integer.parseInt(meta.get("vdim")))
                    .generator(new Generator(1)).backend(backend()).build()) {
                TorchFixtures.loadTorchState(t, mha, fixture);
                Tensor query = t.get("input.query").requiresGrad(true);
                Tensor key = self ? query : t.get("input.key").requiresGrad(true);
                Tensor value = self ? query : t.get("input.value").requiresGrad(true);
                Tensor padding = t.get("input.key_padding_mask");
                if (boolPadding) padding = padding.eq(Float.NEGATIVE_INFINITY);
                MultiheadAttention.Output out = mha.forward(query, key, value, MultiheadAttention.Options.defaults()
                        .keyPaddingMask(padding).attnMask(t.get("input.attn_mask")).needWeights(needWeights));
                Compare.assertClose(fixture + ": output", TorchFixtures.nd(t.get("output")), out.output(), TORCH_FORWARD);
                Tensor loss = out.output().mul(t.get("loss.output")).sum();
                if (needWeights) {
                    Compare.assertClose(fixture + ": head-averaged weights", TorchFixtures.nd(t.get("weights")), out.weights(), TORCH_FORWARD);
                    loss = loss.add(out.weights().mul(t.get("loss.weights")).sum());
                } else {
                    assertNull(out.weights(), fixture + ": weights not asked for");
                }
                loss.backward();
                Map<String, Tensor> inputs = new LinkedHashMap<>();
                inputs.put("query", query);
                if (!self) {
                    inputs.put("key", key);
                    inputs.put("value", value);
                }
                TorchFixtures.assertGradients(t, inputs, mha, fixture, TORCH_GRADIENT);
            }
        }
    }

    /** Self-attention (one projection GEMM), sequence-first, an additive [L, S] mask with -inf and a key padding mask. */
    @Test
    default void multiheadAttentionSelfWithMasksMatchesPyTorch() throws IOException {
        parity("mha_self_masks.safetensors");
    }

    /** Cross-attention, batch-first, key padding, and the head-averaged weights (PyTorch's need_weights=True path). */
    @Test
    default void multiheadAttentionCrossWithWeightsMatchesPyTorch() throws IOException {
        parity("mha_cross_batch_first_weights.safetensors");
    }

    /** kdim and vdim apart from embed_dim (q/k/v_proj_weight instead of in_proj_weight), no biases. */
    @Test
    default void multiheadAttentionKdimVdimNoBiasMatchesPyTorch() throws IOException {
        parity("mha_kdim_vdim_no_bias.safetensors");
    }

    /** Boolean attn and key padding masks (True = ignore, stored as BOOL), self-attention, batch-first: the fused path reads bytes. */
    @Test
    default void multiheadAttentionBoolMasksMatchPyTorch() throws IOException {
        parity("mha_bool_masks.safetensors");
    }

    /** Boolean masks on the explicit path (need_weights), cross-attention, sequence-first. */
    @Test
    default void multiheadAttentionBoolMasksWithWeightsMatchPyTorch() throws IOException {
        parity("mha_bool_masks_cross_weights.safetensors");
    }

    /** A BOOL key padding mask mixed with a float attention mask: merged as PyTorch 2 does (0 / -inf, added). */
    @Test
    default void multiheadAttentionMixedMasksMatchPyTorch() throws IOException {
        parity("mha_self_masks.safetensors", true);
    }

    /**
     * Causal masking against its explicit form: {@code causal(true)} alone (the kernel's causal path),
     * with a BOOL key padding mask (merged masks), and with weights (explicit path) all equal the same
     * layer given the upper triangle as a BOOL attn mask; a float triangle gives the same outputs.
     */
    @Test
    default void multiheadAttentionCausalEqualsItsMask() {
        try (var s = Kiln.scope(); MultiheadAttention mha = MultiheadAttention.builder(8, 2).batchFirst(true).generator(new Generator(6))
                .backend(backend()).build()) {
            Tensor x = tensor(new Inputs(10).uniform(2, 5, 8));
            boolean[] upper = new boolean[25];
            float[] upperAdd = new float[25];
            for (int i = 0; i < 5; i++) {
                for (int j = i + 1; j < 5; j++) {
                    upper[i * 5 + j] = true;
                    upperAdd[i * 5 + j] = Float.NEGATIVE_INFINITY;
                }
            }
            Tensor tri = Tensor.fromBooleans(backend(), upper, 5, 5), triAdd = tensor(upperAdd, 5, 5);
            Tensor pad = Tensor.fromBooleans(backend(), new boolean[] {false, false, false, false, true, false, false, false, true, true}, 2, 5);
            MultiheadAttention.Options o = MultiheadAttention.Options.defaults();
            Compare.assertClose("causal vs BOOL triangle", TorchFixtures.nd(mha.forward(x, x, x, o.attnMask(tri)).output()),
                    mha.forward(x, x, x, o.causal(true)).output(), Tolerances.FORWARD);
            Compare.assertClose("causal vs float triangle", TorchFixtures.nd(mha.forward(x, x, x, o.attnMask(triAdd)).output()),
                    mha.forward(x, x, x, o.causal(true)).output(), Tolerances.FORWARD);
            Compare.assertClose("causal + padding vs triangle + padding", TorchFixtures.nd(mha.forward(x, x, x, o.attnMask(tri).keyPaddingMask(pad)).output()),
                    mha.forward(x, x, x, o.causal(true).keyPaddingMask(pad)).output(), Tolerances.FORWARD);
            MultiheadAttention.Output w = mha.forward(x, x, x, o.causal(true).needWeights(true).averageAttnWeights(false));
            assertArrayEquals(new int[] {2, 2, 5, 5}, w.weights().shape(), "per-head weights");
            float[] weights = w.weights().toFloatArray();
            for (int b = 0; b < 4; b++) {
                for (int i = 0; i < 5; i++) {
                    for (int j = i + 1; j < 5; j++) assertEquals(0f, weights[(b * 5 + i) * 5 + j], "weight of a later key");
                }
            }
            Compare.assertClose("causal with weights vs fused", TorchFixtures.nd(mha.forward(x, x, x, o.causal(true)).output()), w.output(),
                    Tolerances.FORWARD);
        }
    }

    /** PyTorch's _reset_parameters: Xavier-uniform in_proj_weight, zero in_proj_bias and out_proj.bias, Linear's default out_proj.weight. */
    @Test
    default void multiheadAttentionInitialisesAsPyTorch() {
        try (MultiheadAttention mha = MultiheadAttention.builder(16, 4).generator(new Generator(3)).backend(backend()).build()) {
            assertEquals("[in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias]", mha.stateDict().keySet().toString());
            Map<String, Tensor> p = mha.stateDict();
            double xavier = Math.sqrt(6.0 / (16 + 48)), linear = 1 / Math.sqrt(16);
            for (float w : p.get("in_proj_weight").toFloatArray()) assertTrue(Math.abs(w) <= xavier, "in_proj_weight " + w);
            for (float w : p.get("out_proj.weight").toFloatArray()) assertTrue(Math.abs(w) <= linear, "out_proj.weight " + w);
            for (String b : new String[] {"in_proj_bias", "out_proj.bias"}) {
                for (float w : p.get(b).toFloatArray()) assertEquals(0f, w, b);
            }
        }
    }

    /** forward(Tensor) is self-attention, so the layer composes with one-tensor modules; summary names it. */
    @Test
    default void multiheadAttentionComposesInSequential() {
        try (var s = Kiln.scope();
             Sequential net = new Sequential(MultiheadAttention.builder(8, 2).batchFirst(true).generator(new Generator(4))
                     .backend(backend()).build(), new ReLU())) {
            Tensor x = tensor(new Inputs(9).uniform(2, 5, 8));
            MultiheadAttention mha = (MultiheadAttention) net.get("0");
            Tensor expected = mha.forward(x, x, x).output().relu();
            Compare.assertBitIdentical("Sequential(mha, relu) vs by hand", expected.toFloatArray(), net.forward(x).toFloatArray());
            assertTrue(net.summary(2, 5, 8).contains("MultiheadAttention"), net.summary(2, 5, 8));
        }
    }

    @Test
    default void multiheadAttentionErrors() {
        try (var s = Kiln.scope(); MultiheadAttention mha = MultiheadAttention.builder(8, 2).generator(new Generator(5)).backend(backend()).build()) {
            MultiheadAttention.Options o = MultiheadAttention.Options.defaults();
            rejects(() -> mha.forward(ones(4, 2, 6)), "was expecting query embedding dimension of 8, but got 6");
            rejects(() -> mha.forward(ones(4, 2, 8), ones(3, 2, 8), ones(4, 2, 8)), "key shape [3, 2, 8] does not match value shape [4, 2, 8]");
            rejects(() -> mha.forward(ones(4, 2, 8), ones(3, 2, 8), ones(3, 2, 8), o.attnMask(ones(4, 4))),
                    "the shape of the 2D attn_mask is [4, 4], but should be [4, 3]");
            rejects(() -> mha.forward(ones(4, 2, 8), ones(3, 2, 8), ones(3, 2, 8), o.keyPaddingMask(ones(2, 4))),
                    "expecting key_padding_mask shape of [2, 3], but got [2, 4]");
            rejects(() -> mha.forward(ones(2, 4, 2, 8)), "query should be unbatched 2D or batched 3D tensor");
            rejects(() -> mha.forward(ones(4, 2, 8), ones(3, 2, 8), ones(3, 2, 8),
                    o.keyPaddingMask(Tensor.fromLongs(backend(), new long[6], 2, 3))), "only bool and floating types of key_padding_mask", "INT64");
            rejects(() -> mha.forward(ones(4, 2, 8), ones(3, 2, 8), ones(3, 2, 8), null), "options must not be null");
        }
        rejects(() -> new MultiheadAttention(10, 3), "embed_dim must be divisible by num_heads");
    }
}
