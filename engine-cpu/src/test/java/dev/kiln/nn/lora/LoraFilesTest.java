package dev.kiln.nn.lora;

import static dev.kiln.nn.lora.LoraTest.CPU;
import static dev.kiln.nn.lora.LoraTest.D;
import static dev.kiln.nn.lora.LoraTest.OUT;
import static dev.kiln.nn.lora.LoraTest.eval;
import static dev.kiln.nn.lora.LoraTest.input;
import static dev.kiln.nn.lora.LoraTest.random;
import static dev.kiln.nn.lora.LoraTest.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.io.SafeTensors;
import dev.kiln.io.TensorFile;
import dev.kiln.tensor.Scope;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adapter files: only adapters and metadata, a bit-exact round trip, and the checks that refuse a wrong model or base. */
class LoraFilesTest {
    @TempDir
    Path dir;

    /** A base model (seed 1) with trained-looking adapters. */
    private static ToyGpt adapted(LoraConfig config) {
        ToyGpt model = new ToyGpt(2, D, OUT, 1, CPU);
        Lora.apply(model, config);
        int seed = 0;
        for (LoraLinear l : Lora.adapters(model).values()) set(l.loraB(), random(200 + seed++, l.outFeatures() * l.rank(), 0.2f));
        return model;
    }

    @Test
    void savedFileHoldsOnlyAdaptersAndNamesItsBase() throws IOException {
        String baseSha;
        try (ToyGpt base = new ToyGpt(2, D, OUT, 1, CPU)) {
            baseSha = Lora.baseFingerprint(base);
        }
        LoraConfig config = LoraConfig.builder().rank(2).alpha(3).dropout(0.1f).build();
        try (ToyGpt model = adapted(config)) {
            assertEquals(baseSha, Lora.baseFingerprint(model), "adapting does not change the base fingerprint");
            Path f = dir.resolve("tang.lora.safetensors");
            Lora.saveAdapters(model, f, "pretrain.safetensors");
            try (TensorFile t = SafeTensors.read(f, CPU)) {
                assertEquals(new TreeMap<>(Lora.adapterState(model)).keySet(), t.tensors().keySet());
                assertEquals(8, t.tensors().size());
                assertTrue(t.tensors().keySet().stream().allMatch(k -> k.endsWith(".lora_A.weight") || k.endsWith(".lora_B.weight")));
                assertEquals(Map.of("format", "kiln-lora", "base", "pretrain.safetensors", "base_sha256", baseSha, "rank", "2", "alpha", "3.0",
                        "dropout", "0.1", "targets", "transformer.h.0.attn.c_attn,transformer.h.0.attn.c_proj,transformer.h.1.attn.c_attn,"
                                + "transformer.h.1.attn.c_proj"), t.metadata());
            }
            long adapterBytes = 4L * Lora.adapterState(model).values().stream().mapToLong(Tensor::numel).sum();
            assertTrue(Files.size(f) < adapterBytes + 2048, "adapters and a header: " + Files.size(f) + " bytes");
        }
    }

    @Test
    void baseFingerprintIsSha256OfNamesShapesAndLittleEndianValues() throws Exception {
        try (ToyGpt model = new ToyGpt(1, D, OUT, 1, CPU)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, Tensor> e : new TreeMap<>(model.namedParameters()).entrySet()) {
                Tensor t = e.getValue();
                sha.update((e.getKey() + "\0FLOAT32" + java.util.Arrays.toString(t.shape()) + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * (int) t.numel()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (float v : t.toFloatArray()) b.putFloat(v);
                sha.update(b.array());
            }
            assertEquals(HexFormat.of().formatHex(sha.digest()), Lora.baseFingerprint(model));
        }
    }

    @Test
    void roundTripIsBitExactIntoAFreshlyAdaptedBase() throws IOException {
        Path f = dir.resolve("a.safetensors");
        try (Scope _ = Scope.open(); ToyGpt trained = adapted(LoraConfig.builder().rank(3).alpha(6).withMlp().build())) {
            Lora.saveAdapters(trained, f, "base");
            Tensor x = input(4, 3);
            float[] expected = eval(trained, x);
            try (ToyGpt fresh = new ToyGpt(2, D, OUT, 1, CPU)) {
                AdapterInfo info = Lora.readInfo(f);
                assertEquals(3, info.rank());
                assertEquals(6.0, info.alpha());
                Lora.apply(fresh, info.config());
                assertEquals(info, Lora.loadAdapters(fresh, f));
                Map<String, Tensor> want = Lora.adapterState(trained), got = Lora.adapterState(fresh);
                assertEquals(want.keySet(), got.keySet());
                want.forEach((k, t) -> assertArrayEquals(t.toFloatArray(), got.get(k).toFloatArray(), k));
                assertArrayEquals(expected, eval(fresh, x), "same outputs");
            }
        }
    }

    @Test
    void loadRefusesAnotherRankTargetsOrBase() throws IOException {
        Path f = dir.resolve("a.safetensors");
        try (ToyGpt trained = adapted(LoraConfig.builder().rank(2).alpha(4).build())) {
            Lora.saveAdapters(trained, f, "pretrain.safetensors");
        }
        try (ToyGpt other = new ToyGpt(2, D, OUT, 1, CPU)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lora.loadAdapters(other, f));
            assertEquals("lora loadAdapters: the model has no LoRA adapters (call Lora.apply first)", e.getMessage());
            Lora.apply(other, LoraConfig.builder().rank(4).alpha(4).build());
            e = assertThrows(IllegalArgumentException.class, () -> Lora.loadAdapters(other, f));
            assertTrue(e.getMessage().startsWith("lora: a.safetensors has r=2, alpha=4.0, the model's 'transformer.h.0.attn.c_attn' r=4"), e.getMessage());
        }
        try (ToyGpt other = new ToyGpt(2, D, OUT, 1, CPU)) {
            Lora.apply(other, LoraConfig.builder().rank(2).alpha(4).withMlp().build());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lora.loadAdapters(other, f));
            assertTrue(e.getMessage().startsWith("lora: a.safetensors adapts [transformer.h.0.attn.c_attn, transformer.h.0.attn.c_proj, "), e.getMessage());
            assertTrue(e.getMessage().contains("the model [transformer.h.0.attn.c_attn, transformer.h.0.attn.c_proj, transformer.h.0.mlp.c_fc"), e.getMessage());
        }
        try (ToyGpt otherBase = new ToyGpt(2, D, OUT, 2, CPU)) { // another seed: another base
            Lora.apply(otherBase, Lora.readInfo(f).config());
            Map<String, float[]> before = new TreeMap<>();
            Lora.adapterState(otherBase).forEach((k, t) -> before.put(k, t.toFloatArray()));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lora.loadAdapters(otherBase, f));
            assertTrue(e.getMessage().startsWith("lora: a.safetensors was trained on base 'pretrain.safetensors' (sha256 "), e.getMessage());
            assertTrue(e.getMessage().endsWith("; load that base first, or pass requireSameBase=false"), e.getMessage());
            Lora.adapterState(otherBase).forEach((k, t) -> assertArrayEquals(before.get(k), t.toFloatArray(), "nothing loaded: " + k));
            AdapterInfo info = Lora.loadAdapters(otherBase, f, false);
            assertFalse(info.baseSha256().equals(Lora.baseFingerprint(otherBase)), "the caller can see the base differs");
            assertFalse(java.util.Arrays.equals(before.get("transformer.h.0.attn.c_attn.lora_B.weight"),
                    Lora.adapterState(otherBase).get("transformer.h.0.attn.c_attn.lora_B.weight").toFloatArray()), "loaded when allowed");
        }
    }

    @Test
    void aPlainCheckpointIsNotAnAdapterFile() throws IOException {
        Path f = dir.resolve("model.safetensors");
        try (ToyGpt model = new ToyGpt(1, D, OUT, 1, CPU)) {
            SafeTensors.write(f, model.stateDict(), Map.of());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lora.readInfo(f));
            assertEquals("lora: model.safetensors is not a LoRA adapter file (metadata format 'null', expected 'kiln-lora')", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Lora.saveAdapters(model, dir.resolve("x"), "b"));
            assertEquals("lora saveAdapters: the model has no LoRA adapters (call Lora.apply first)", e.getMessage());
            assertEquals(List.of(), List.copyOf(Lora.adapters(model).keySet()));
        }
    }
}
