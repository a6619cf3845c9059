package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.io.SafeTensors;
import dev.kiln.io.TensorFile;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.gpt.GenerationOptions;
import dev.kiln.nn.gpt.Gpt;
import dev.kiln.nn.gpt.GptConfig;
import dev.kiln.nn.gpt.KvCache;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * dev.kiln.nn.gpt on one backend: the GPT decoder against the nanoGPT-style PyTorch reference
 * ({@code bench/peers/torch_gpt.py fixtures}: logits, loss, every parameter's gradient including the
 * tied embedding's two uses, greedy continuations), state dict names both ways, the causal mask,
 * checkpoints, submodules called by path, and generation with the KV cache against generation
 * without it.
 */
public interface GptChecks extends BackendUnderTest {
    /** Kiln vs PyTorch float32 through embeddings, layer norms, attention and the head. */
    Tolerances.Tol GPT_FORWARD = new Tolerances.Tol(2e-5, 2e-5, "Kiln vs PyTorch float32 GPT forward");
    /** Gradients through every block. */
    Tolerances.Tol GPT_GRADIENT = new Tolerances.Tol(2e-4, 5e-5, "Kiln vs PyTorch float32 GPT gradients");
    /** The cached path sums attention in another order than the full forward. */
    Tolerances.Tol GPT_CACHE = new Tolerances.Tol(1e-5, 1e-5, "GPT logits with and without the KV cache");

    private GptConfig tiny(int context) {
        return GptConfig.builder().vocabSize(23).contextLength(context).layers(2).heads(2).width(16).build();
    }

    private Tensor ids(long[] values, int... shape) {
        return Tensor.fromLongs(backend(), values, shape);
    }

    private static long[] randomIds(long seed, int n, int vocab) {
        Generator g = new Generator(seed);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = g.nextInt(vocab);
        return v;
    }

    private Path writeState(Map<String, Tensor> fixture, boolean withLmHead) throws IOException {
        Map<String, Tensor> state = new TreeMap<>();
        fixture.forEach((k, v) -> { if (k.startsWith("state.")) state.put(k.substring("state.".length()), v); });
        if (withLmHead) state.put(Gpt.LM_HEAD, state.get("transformer.wte.weight"));
        Path file = Files.createTempFile("kiln-gpt-", ".safetensors");
        SafeTensors.write(file, state, Map.of());
        return file;
    }

    private void parity(String name) throws IOException {
        try (var s = Kiln.scope(); TensorFile f = TorchFixtures.read(name, backend())) {
            Map<String, Tensor> t = f.tensors();
            GptConfig config = GptConfig.fromJson(f.metadata().get(Gpt.CONFIG_METADATA));
            Path file = writeState(t, false);
            try (Gpt gpt = new Gpt(config, new Generator(3), backend())) {
                // Names both ways: Kiln's state dict is PyTorch's without the tied head's second name.
                Set<String> kiln = new TreeSet<>(gpt.stateDict().keySet());
                kiln.add(Gpt.LM_HEAD);
                assertEquals(new TreeSet<>(Arrays.asList(f.metadata().get("torch_keys").split(","))), kiln, name + ": state dict keys");
                gpt.stateDict().forEach((k, v) -> assertArrayEquals(t.get("state." + k).shape(), v.shape(), name + ": shape of " + k));
                gpt.loadWeights(file);
                Tensor idx = t.get("input.idx");
                Compare.assertClose(name + ": logits", TorchFixtures.nd(t.get("output.logits")), gpt.forward(idx), GPT_FORWARD);
                Tensor loss = gpt.loss(idx, t.get("input.targets"));
                Compare.assertClose(name + ": loss", TorchFixtures.nd(t.get("output.loss")), loss, GPT_FORWARD);
                loss.backward();
                TorchFixtures.assertGradients(t, Map.of(), gpt, name, GPT_GRADIENT);
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Two layers with biases at the full context length: logits, loss (one ignored target) and all gradients. */
    @Test
    default void gptMatchesPyTorch() throws IOException {
        parity("gpt_small.safetensors");
    }

    /** Without biases (Linear and LayerNorm), with GPT-2's tanh GELU, four heads. */
    @Test
    default void gptWithoutBiasTanhGeluMatchesPyTorch() throws IOException {
        parity("gpt_nobias_tanh.safetensors");
    }

    /** nanoGPT's greedy continuation (temperature 0, cropping past the context) with and without the cache; top-k 1 is greedy. */
    @Test
    default void greedyGenerationMatchesPyTorch() throws IOException {
        try (var s = Kiln.scope(); TensorFile f = TorchFixtures.read("gpt_small.safetensors", backend())) {
            Map<String, Tensor> t = f.tensors();
            GptConfig config = GptConfig.fromJson(f.metadata().get(Gpt.CONFIG_METADATA));
            Path file = writeState(t, true);
            try (Gpt gpt = Gpt.load(file, config, backend())) {
                int[] prompt = Arrays.stream(t.get("generate.prompt").toLongArray()).mapToInt(x -> (int) x).toArray();
                int[] expected = Arrays.stream(t.get("generate.greedy").toLongArray()).mapToInt(x -> (int) x).toArray();
                assertTrue(prompt.length + expected.length > config.contextLength(), "the fixture crosses the context length");
                for (boolean cache : new boolean[] {true, false}) {
                    GenerationOptions greedy = GenerationOptions.builder().maxNewTokens(expected.length).temperature(0f).useCache(cache).build();
                    assertArrayEquals(expected, gpt.generate(prompt, greedy), "greedy, cache " + cache);
                    GenerationOptions top1 = GenerationOptions.builder().maxNewTokens(expected.length).topK(1).seed(9).useCache(cache).build();
                    assertArrayEquals(expected, gpt.generate(prompt, top1), "top-k 1, cache " + cache);
                }
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    /** A PyTorch state dict file with lm_head.weight loads; unexpected, missing or misshapen names are refused, naming them. */
    @Test
    default void gptLoadAcceptsTiedHeadAndRefusesOtherMismatches() throws IOException {
        try (var s = Kiln.scope(); TensorFile f = TorchFixtures.read("gpt_nobias_tanh.safetensors", backend())) {
            Map<String, Tensor> t = f.tensors();
            GptConfig config = GptConfig.fromJson(f.metadata().get(Gpt.CONFIG_METADATA));
            Path with = writeState(t, true);
            Path bad = Files.createTempFile("kiln-gpt-bad-", ".safetensors");
            try (Gpt gpt = Gpt.load(with, config, backend())) {
                Compare.assertClose("lm_head file: logits", TorchFixtures.nd(t.get("output.logits")), gpt.forward(t.get("input.idx")), GPT_FORWARD);
                Map<String, Tensor> state = new HashMap<>(gpt.stateDict());
                state.remove("transformer.ln_f.weight");
                state.put("transformer.h.0.attn.c_attn.bias", Tensor.full(backend(), 0f, 36));
                state.put("transformer.wpe.weight", Tensor.full(backend(), 0f, 9, 12));
                SafeTensors.write(bad, state, Map.of());
                var e = assertThrows(IllegalArgumentException.class, () -> gpt.loadWeights(bad));
                assertTrue(e.getMessage().contains("missing transformer.ln_f.weight"), e.getMessage());
                assertTrue(e.getMessage().contains("unexpected transformer.h.0.attn.c_attn.bias"), e.getMessage());
                assertTrue(e.getMessage().contains("transformer.wpe.weight: file FLOAT32 [9, 12], model FLOAT32 [8, 12]"), e.getMessage());
                var noConfig = assertThrows(IllegalArgumentException.class, () -> Gpt.load(with, backend()));
                assertTrue(noConfig.getMessage().contains("has no 'kiln.gpt.config' metadata"), noConfig.getMessage());
            } finally {
                Files.deleteIfExists(with);
                Files.deleteIfExists(bad);
            }
        }
    }

    /** save writes the tied weight once and the config; load rebuilds the model with bit-identical logits. */
    @Test
    default void gptSaveLoadRoundTrip() throws IOException {
        Path file = Files.createTempFile("kiln-gpt-", ".safetensors");
        GptConfig config = tiny(10).toBuilder().dropout(0.1f).build();
        try (var s = Kiln.scope(); Gpt gpt = new Gpt(config, new Generator(4), backend())) {
            gpt.eval();
            gpt.save(file);
            try (TensorFile f = SafeTensors.read(file, backend())) {
                assertEquals(new TreeSet<>(gpt.stateDict().keySet()), f.tensors().keySet());
                assertFalse(f.tensors().containsKey(Gpt.LM_HEAD));
                assertEquals(config, GptConfig.fromJson(f.metadata().get(Gpt.CONFIG_METADATA)));
            }
            Tensor idx = ids(randomIds(5, 20, 23), 2, 10);
            try (Gpt back = Gpt.load(file, backend())) {
                back.eval();
                assertEquals(config, back.config());
                Compare.assertBitIdentical("reloaded logits", gpt.forward(idx).toFloatArray(), back.forward(idx).toFloatArray());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Changing token t leaves the logits of every earlier position bit-identical and changes position t's. */
    @Test
    default void gptIsCausal() {
        try (var s = Kiln.scope(); Gpt gpt = new Gpt(tiny(12), new Generator(6), backend())) {
            long[] a = randomIds(7, 24, 23);
            long[] b = a.clone();
            int t = 7;
            b[t] = (a[t] + 5) % 23;
            b[12 + t] = (a[12 + t] + 1) % 23;
            float[] la = gpt.forward(ids(a, 2, 12)).toFloatArray(), lb = gpt.forward(ids(b, 2, 12)).toFloatArray();
            int v = 23;
            for (int row = 0; row < 2; row++) {
                int base = row * 12 * v;
                Compare.assertBitIdentical("positions before " + t + ", row " + row, Arrays.copyOfRange(la, base, base + t * v),
                        Arrays.copyOfRange(lb, base, base + t * v));
                assertFalse(Arrays.equals(Arrays.copyOfRange(la, base + t * v, base + (t + 1) * v),
                        Arrays.copyOfRange(lb, base + t * v, base + (t + 1) * v)), "position " + t + " sees its own token");
            }
        }
    }

    /** The head is the embedding: one parameter, nanoGPT's names and count, nanoGPT's init, seeded. */
    @Test
    default void gptStructureTiedHeadAndInit() {
        GptConfig c = GptConfig.builder().vocabSize(50).contextLength(16).layers(3).heads(4).width(32).build();
        try (var s = Kiln.scope(); Gpt gpt = new Gpt(c, new Generator(8), backend()); Gpt same = new Gpt(c, new Generator(8), backend())) {
            Map<String, Tensor> p = gpt.namedParameters();
            assertSame(p.get("transformer.wte.weight"), gpt.lmHeadWeight());
            assertFalse(p.containsKey(Gpt.LM_HEAD));
            assertEquals(2 + 3 * 12 + 2, p.size()); // wte, wpe; 12 per block; ln_f
            long count = p.values().stream().mapToLong(Tensor::numel).sum();
            long perBlock = 2 * 32 + (3 * 32 * 32 + 3 * 32) + (32 * 32 + 32) + 2 * 32 + (4 * 32 * 32 + 4 * 32) + (4 * 32 * 32 + 32);
            assertEquals(50 * 32 + 16 * 32 + 3 * perBlock + 2 * 32, count);
            assertInstanceOf(Linear.class, gpt.get("transformer.h.0.attn.c_attn"));
            assertInstanceOf(Linear.class, gpt.get("transformer.h.2.mlp.c_proj"));
            assertInstanceOf(LayerNorm.class, gpt.get("transformer.ln_f"));
            assertStd(p.get("transformer.h.1.attn.c_attn.weight"), 0.02);
            assertStd(p.get("transformer.wte.weight"), 0.02);
            assertStd(p.get("transformer.h.1.mlp.c_fc.weight"), 0.02);
            double proj = 0.02 / Math.sqrt(6);
            assertStd(p.get("transformer.h.0.attn.c_proj.weight"), proj);
            assertStd(p.get("transformer.h.2.mlp.c_proj.weight"), proj);
            for (float x : p.get("transformer.h.1.mlp.c_fc.bias").toFloatArray()) assertEquals(0f, x);
            for (float x : p.get("transformer.h.1.ln_2.weight").toFloatArray()) assertEquals(1f, x);
            same.namedParameters().forEach((k, v) -> Compare.assertBitIdentical(k + " for the same seed", p.get(k).toFloatArray(), v.toFloatArray()));
        }
    }

    private static void assertStd(Tensor w, double std) {
        float[] v = w.toFloatArray();
        double ss = 0, sum = 0;
        for (float x : v) {
            ss += (double) x * x;
            sum += x;
        }
        double sd = Math.sqrt(ss / v.length);
        assertTrue(Math.abs(sd - std) < 0.1 * std, "std " + sd + ", expected " + std);
        assertTrue(Math.abs(sum / v.length) < 0.1 * std, "mean " + sum / v.length);
    }

    /** A Linear replaced by path takes part in the forward (what LoRA relies on); putting it back restores the logits. */
    @Test
    default void gptCallsItsLinearsByPath() {
        try (var s = Kiln.scope(); Gpt gpt = new Gpt(tiny(8), new Generator(10), backend());
             Linear other = new Linear(16, 48, true, new Generator(11), backend())) {
            Tensor idx = ids(randomIds(12, 8, 23), 1, 8);
            float[] before = gpt.forward(idx).toFloatArray();
            Module old = gpt.replace("transformer.h.1.attn.c_attn", other);
            assertFalse(Arrays.equals(before, gpt.forward(idx).toFloatArray()), "the replacement is called");
            assertFalse(gpt.namedParameters().containsValue(((Linear) old).weight()));
            assertSame(other, gpt.replace("transformer.h.1.attn.c_attn", old));
            Compare.assertBitIdentical("after putting c_attn back", before, gpt.forward(idx).toFloatArray());
        }
    }

    /** Prefill, single tokens and a multi-token chunk after the cache give the full forward's logits. */
    @Test
    default void kvCacheForwardMatchesFullForward() {
        try (var s = Kiln.scope(); Gpt gpt = new Gpt(tiny(12), new Generator(13), backend()); KvCache cache = gpt.newCache();
             var g = Kiln.noGrad()) {
            gpt.eval();
            long[] a = randomIds(14, 24, 23);
            Tensor all = ids(a, 2, 12);
            float[] full = gpt.forward(all).toFloatArray();
            int v = 23;
            int[][] chunks = {{0, 5}, {5, 1}, {6, 1}, {7, 3}, {10, 2}};
            for (int[] c : chunks) {
                assertEquals(c[0], cache.length());
                Tensor part = all.narrow(1, c[0], c[1]).copy();
                float[] got = gpt.forward(part, cache).toFloatArray();
                float[] want = new float[2 * c[1] * v];
                for (int row = 0; row < 2; row++) {
                    System.arraycopy(full, (row * 12 + c[0]) * v, want, row * c[1] * v, c[1] * v);
                }
                Compare.assertClose("positions " + c[0] + ".." + (c[0] + c[1] - 1), Nd.of(want, 2, c[1], v), got, GPT_CACHE);
                float[] last = gpt.lastLogits(part, null).toFloatArray(); // without the cache: the chunk from position 0
                assertEquals(2 * v, last.length);
            }
            assertEquals(12, cache.length());
            assertArrayEquals(new int[] {2, 2, 12, 8}, cache.keys(0).shape());
            var e = assertThrows(IllegalArgumentException.class, () -> gpt.forward(all.narrow(1, 0, 1).copy(), cache));
            assertEquals("Gpt: sequence length 13 (cached 12 + new 1) exceeds contextLength 12", e.getMessage());
        }
    }

    /** Sampling with and without the cache gives the same tokens for a fixed seed, across the context length. */
    @Test
    default void generationWithAndWithoutCacheIsIdentical() {
        try (var s = Kiln.scope(); Gpt gpt = new Gpt(tiny(10), new Generator(15), backend())) {
            int[] prompt = {3, 1, 4, 1};
            GenerationOptions[] variants = {
                GenerationOptions.builder().maxNewTokens(14).build(),
                GenerationOptions.builder().maxNewTokens(14).topK(5).temperature(0.8f).build(),
                GenerationOptions.builder().maxNewTokens(14).topP(0.9f).temperature(1.3f).build(),
                GenerationOptions.builder().maxNewTokens(14).topK(8).topP(0.7f).build()};
            for (GenerationOptions base : variants) {
                for (long seed : new long[] {1, 2, 3}) {
                    GenerationOptions on = new GenerationOptions(base.maxNewTokens(), base.temperature(), base.topK(), base.topP(), seed, -1, true);
                    GenerationOptions off = new GenerationOptions(base.maxNewTokens(), base.temperature(), base.topK(), base.topP(), seed, -1, false);
                    int[] a = gpt.generate(prompt, on);
                    assertEquals(14, a.length);
                    assertArrayEquals(a, gpt.generate(prompt, off), "cache vs none, " + on);
                    assertArrayEquals(a, gpt.generate(prompt, on), "same seed, same tokens");
                }
            }
            GenerationOptions o = GenerationOptions.builder().maxNewTokens(14).seed(1).build();
            GenerationOptions o2 = GenerationOptions.builder().maxNewTokens(14).seed(2).build();
            assertNotEquals(Arrays.toString(gpt.generate(prompt, o)), Arrays.toString(gpt.generate(prompt, o2)), "seeds differ");
        }
    }

    /** Generation stops after the stop token (returned), restores training mode and reports each token. */
    @Test
    default void generationStopTokenModeAndCallback() {
        try (var s = Kiln.scope(); Gpt gpt = new Gpt(tiny(16), new Generator(16), backend())) {
            int[] prompt = {5};
            int[] full = gpt.generate(prompt, GenerationOptions.builder().maxNewTokens(12).seed(4).build());
            int stop = full[6];
            int first = 0;
            while (full[first] != stop) first++;
            StringBuilder seen = new StringBuilder();
            assertTrue(gpt.isTraining());
            int[] stopped = gpt.generate(prompt, GenerationOptions.builder().maxNewTokens(12).seed(4).stopToken(stop).build(),
                    tok -> seen.append(tok).append(' '));
            assertArrayEquals(Arrays.copyOf(full, first + 1), stopped);
            assertEquals(Arrays.stream(stopped).mapToObj(i -> i + " ").reduce("", String::concat), seen.toString());
            assertTrue(gpt.isTraining(), "training mode restored");
            assertEquals(0, gpt.generate(prompt, GenerationOptions.builder().maxNewTokens(0).build()).length);
        }
    }

    /** Errors name what was expected and found. */
    @Test
    default void gptErrors() {
        try (var s = Kiln.scope(); Gpt gpt = new Gpt(tiny(8), new Generator(17), backend())) {
            rejects(() -> gpt.forward(ids(new long[18], 2, 9)), "Gpt: sequence length 9 exceeds contextLength 8");
            rejects(() -> gpt.forward(Tensor.full(backend(), 0f, 2, 3)), "Gpt: idx must be INT64 token ids [B, T], got FLOAT32 [2, 3]");
            rejects(() -> gpt.loss(ids(new long[4], 1, 4), ids(new long[3], 1, 3)), "Gpt.loss: targets must have the shape of idx [1, 4], got [1, 3]");
            rejects(() -> gpt.generate(new int[] {1, 23}, GenerationOptions.builder().build()),
                    "Gpt.generate: prompt[1] = 23 is outside the vocabulary [0, 23)");
            rejects(() -> gpt.generate(new int[0], GenerationOptions.builder().build()), "prompt must hold at least one token");
            try (KvCache cache = gpt.newCache()) {
                var e = assertThrows(IllegalStateException.class, () -> gpt.forward(ids(new long[2], 1, 2), cache));
                assertEquals("Gpt: a KvCache is for inference; run under Kiln.noGrad()", e.getMessage());
            }
        }
    }
}
