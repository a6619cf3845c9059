package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.io.SafeTensors;
import dev.kiln.io.TensorFile;
import dev.kiln.nn.MultiheadAttention;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * nn.MultiheadAttention against PyTorch 1.13: fixtures written by
 * {@code bench/peers/torch_attention_fixtures.py} (state dict, inputs, masks, output, head-averaged
 * weights, and the gradients of a fixed scalar loss for every input and parameter) are loaded into a
 * Kiln layer through a safetensors checkpoint with PyTorch's names (strict), run, and compared at
 * float32 tolerances; the reverse direction checks that Kiln's own state dict has exactly PyTorch's
 * keys and shapes. Also PyTorch's initialisation and composition in {@link Sequential}.
 */
public interface MultiheadAttentionChecks extends BackendUnderTest {
    /** Kiln vs PyTorch, both float32: the two sum in different orders, so each is off the exact value by ~1e-6 relative. */
    Tolerances.Tol TORCH_FORWARD = new Tolerances.Tol(1e-5, 1e-5, "Kiln vs PyTorch float32 forward");
    /** Gradients sum over every output and position, so rounding differences grow (as {@link Tolerances#GRADIENT}). */
    Tolerances.Tol TORCH_GRADIENT = new Tolerances.Tol(1e-4, 2e-5, "Kiln vs PyTorch float32 gradients");

    private static Path resource(String name) {
        try (InputStream in = MultiheadAttentionChecks.class.getResourceAsStream("/parity/" + name)) {
            assertNotNull(in, "fixture /parity/" + name + " (run bench/peers/torch_attention_fixtures.py)");
            Path tmp = Files.createTempFile("kiln-parity-", ".safetensors");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void parity(String fixture) throws IOException {
        Path file = resource(fixture), state = Files.createTempFile("kiln-mha-state-", ".safetensors");
        try (var s = Kiln.scope(); TensorFile f = SafeTensors.read(file, backend())) {
            Map<String, Tensor> t = f.tensors();
            Map<String, String> meta = f.metadata();
            int e = Integer.parseInt(meta.get("embed_dim"));
            boolean bias = Boolean.parseBoolean(meta.get("bias").toLowerCase()), batchFirst = Boolean.parseBoolean(meta.get("batch_first").toLowerCase());
            boolean self = Boolean.parseBoolean(meta.get("self_attention").toLowerCase()), needWeights = Boolean.parseBoolean(meta.get("need_weights").toLowerCase());
            try (MultiheadAttention mha = new MultiheadAttention(e, Integer.parseInt(meta.get("num_heads")), 0f, bias, batchFirst,
                    Integer.parseInt(meta.get("kdim")), Integer.parseInt(meta.get("vdim")), new Generator(1), backend())) {
                // Reverse direction: Kiln's state dict has exactly PyTorch's keys and shapes.
                Map<String, Tensor> torchState = new TreeMap<>();
                t.forEach((k, v) -> { if (k.startsWith("state.")) torchState.put(k.substring(6), v); });
                Map<String, Tensor> kilnState = new TreeMap<>(mha.stateDict());
                assertEquals(torchState.keySet(), kilnState.keySet(), fixture + ": state dict keys");
                for (String k : torchState.keySet()) assertArrayEquals(torchState.get(k).shape(), kilnState.get(k).shape(), fixture + ": " + k);
                // PyTorch -> Kiln through a checkpoint file with PyTorch's names, strictly.
                SafeTensors.write(state, torchState, Map.of());
                SafeTensors.loadInto(state, mha.stateDict(), true);
                Tensor query = t.get("input.query").requiresGrad(true);
                Tensor key = self ? query : t.get("input.key").requiresGrad(true);
                Tensor value = self ? query : t.get("input.value").requiresGrad(true);
                MultiheadAttention.Output out = mha.forward(query, key, value, t.get("input.key_padding_mask"), t.get("input.attn_mask"), needWeights);
                Compare.assertClose(fixture + ": output", nd(t.get("output")), out.output(), TORCH_FORWARD);
                Tensor loss = out.output().mul(t.get("loss.output")).sum();
                if (needWeights) {
                    Compare.assertClose(fixture + ": head-averaged weights", nd(t.get("weights")), out.weights(), TORCH_FORWARD);
                    loss = loss.add(out.weights().mul(t.get("loss.weights")).sum());
                } else {
                    assertNull(out.weights(), fixture + ": weights not asked for");
                }
                loss.backward();
                Map<String, Tensor> grads = new LinkedHashMap<>();
                grads.put("query", query);
                if (!self) {
                    grads.put("key", key);
                    grads.put("value", value);
                }
                mha.namedParameters().forEach((k, p) -> grads.put("state." + k, p));
                for (Map.Entry<String, Tensor> g : grads.entrySet()) {
                    Compare.assertClose(fixture + ": gradient of " + g.getKey(), nd(t.get("grad." + g.getKey())), g.getValue().grad(), TORCH_GRADIENT);
                }
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(state);
        }
    }

    private static Nd nd(Tensor t) {
        assertNotNull(t, "tensor missing from the fixture");
        return Nd.of(t.toFloatArray(), t.shape());
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

    /** PyTorch's _reset_parameters: Xavier-uniform in_proj_weight, zero in_proj_bias and out_proj.bias, Linear's default out_proj.weight. */
    @Test
    default void multiheadAttentionInitialisesAsPyTorch() {
        try (MultiheadAttention mha = new MultiheadAttention(16, 4, 0f, true, false, 16, 16, new Generator(3), backend())) {
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
             Sequential net = new Sequential(new MultiheadAttention(8, 2, 0f, true, true, 8, 8, new Generator(4), backend()), new ReLU())) {
            Tensor x = tensor(new Inputs(9).uniform(2, 5, 8));
            MultiheadAttention mha = (MultiheadAttention) net.get("0");
            Tensor expected = mha.forward(x, x, x).output().relu();
            Compare.assertBitIdentical("Sequential(mha, relu) vs by hand", expected.toFloatArray(), net.forward(x).toFloatArray());
            assertTrue(net.summary(2, 5, 8).contains("MultiheadAttention"), net.summary(2, 5, 8));
        }
    }

    @Test
    default void multiheadAttentionErrors() {
        try (MultiheadAttention mha = new MultiheadAttention(8, 2, 0f, true, false, 8, 8, new Generator(5), backend())) {
            rejects(() -> mha.forward(ones(4, 2, 6)), "was expecting query embedding dimension of 8, but got 6");
            rejects(() -> mha.forward(ones(4, 2, 8), ones(3, 2, 8), ones(4, 2, 8)), "key shape [3, 2, 8] does not match value shape [4, 2, 8]");
            rejects(() -> mha.forward(ones(4, 2, 8), ones(3, 2, 8), ones(3, 2, 8), null, ones(4, 4), false),
                    "the shape of the 2D attn_mask is [4, 4], but should be [4, 3]");
            rejects(() -> mha.forward(ones(4, 2, 8), ones(3, 2, 8), ones(3, 2, 8), ones(2, 4), null, false),
                    "expecting key_padding_mask shape of [2, 3], but got [2, 4]");
            rejects(() -> mha.forward(ones(2, 4, 2, 8)), "query should be unbatched 2D or batched 3D tensor");
        }
        rejects(() -> new MultiheadAttention(10, 3), "embed_dim must be divisible by num_heads");
    }
}
