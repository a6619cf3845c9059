package dev.kiln.nn.lora;

import static dev.kiln.nn.lora.LoraTest.CPU;
import static dev.kiln.nn.lora.LoraTest.D;
import static dev.kiln.nn.lora.LoraTest.OUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.nn.Embedding;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fine-tuning modes' freezing and counts, and the configuration errors of LoRA. */
class FineTuningTest {
    /** A head whose weight is the embedding's (GPT's weight tying), registered under both names. */
    static final class TiedHead extends Module {
        TiedHead(Tensor weight) {
            registerParameter("weight", weight);
        }

        @Override
        public Tensor forward(Tensor input) {
            throw new UnsupportedOperationException();
        }
    }

    private static long count(Module m, String... prefixes) {
        long n = 0;
        for (var e : m.namedParameters().entrySet()) {
            for (String p : prefixes) if (e.getKey().startsWith(p + ".")) n += e.getValue().numel();
        }
        return n;
    }

    @Test
    void headOnlyTrainsTheNamedPrefixes() {
        try (ToyGpt model = new ToyGpt(2, D, OUT, 1, CPU)) {
            FineTuning.Trainable t = FineTuning.headOnly(model, "transformer.ln_f", "lm_head");
            assertEquals(List.of("transformer.ln_f.weight", "transformer.ln_f.bias", "lm_head.weight"), t.trainable());
            assertEquals(List.copyOf(model.namedTrainableParameters().keySet()), t.trainable());
            assertEquals(2 * D + D * OUT, t.trainableParameters());
            assertEquals(model.parameters().stream().mapToLong(Tensor::numel).sum(), t.totalParameters());
            assertEquals(FineTuning.Method.HEAD, t.method());
            FineTuning.Trainable full = FineTuning.full(model);
            assertEquals(full.totalParameters(), full.trainableParameters());
            assertEquals(1.0, full.trainableFraction());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuning.headOnly(model, "head"));
            assertEquals("headOnly: prefix 'head' matches no parameter (top-level names: [transformer, lm_head])", e.getMessage());
            assertTrue(model.parameters().stream().allMatch(Tensor::requiresGrad), "a failed call freezes nothing");
        }
    }

    @Test
    void headOnlyFollowsATiedHeadToTheSharedEmbedding() {
        try (ToyGpt.Holder model = new ToyGpt.Holder()) {
            Embedding wte = Embedding.builder(10, D).backend(CPU).build();
            model.add("wte", wte).add("proj", new Linear(D, D, true, new Generator(1), CPU)).add("lm_head", new TiedHead(wte.weight()));
            FineTuning.Trainable t = FineTuning.headOnly(model, "lm_head");
            assertEquals(List.of("wte.weight"), t.trainable(), "the shared tensor, under its first name");
            assertEquals(10 * D, t.trainableParameters());
            assertEquals(10 * D + D * D + D, t.totalParameters(), "the tied tensor counted once");
        }
    }

    @Test
    void loraModeTrainsAboutTheAdaptersOnly() {
        try (ToyGpt model = new ToyGpt(2, D, OUT, 1, CPU)) {
            FineTuning.Trainable t = FineTuning.lora(model, LoraConfig.builder().rank(1).build());
            assertEquals(FineTuning.Method.LORA, t.method());
            assertEquals(count(model, "transformer.h.0.attn.c_attn.lora_A", "transformer.h.0.attn.c_attn.lora_B", "transformer.h.0.attn.c_proj.lora_A",
                    "transformer.h.0.attn.c_proj.lora_B", "transformer.h.1.attn.c_attn.lora_A", "transformer.h.1.attn.c_attn.lora_B",
                    "transformer.h.1.attn.c_proj.lora_A", "transformer.h.1.attn.c_proj.lora_B"), t.trainableParameters());
            assertEquals(8, t.trainable().size());
        }
    }

    @Test
    void configurationErrorsNameTheProblem() {
        assertEquals("LoraConfig: rank must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> LoraConfig.builder().rank(0).build()).getMessage());
        assertEquals("LoraConfig: alpha must be finite and > 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> LoraConfig.builder().alpha(-1).build()).getMessage());
        assertEquals("LoraConfig: dropout must be in [0, 1), got 1.0",
                assertThrows(IllegalArgumentException.class, () -> LoraConfig.builder().dropout(1f).build()).getMessage());
        assertEquals("LoraConfig: no target modules given",
                assertThrows(IllegalArgumentException.class, () -> LoraConfig.builder().targets().build()).getMessage());
        assertEquals("LoraConfig: repeated target in [attn.c_attn, attn.c_proj, attn.c_attn]",
                assertThrows(IllegalArgumentException.class, () -> LoraConfig.builder().targets("attn.c_attn", "attn.c_proj", "attn.c_attn").build()).getMessage());
        assertEquals(List.of("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"), LoraConfig.builder().withMlp().withMlp().build().targets());
        assertEquals(0.5, LoraConfig.builder().rank(16).alpha(8).build().scaling());
    }

    @Test
    void applyRefusesPatternsThatMatchNothingOrNotALinearAndLeavesTheModelAsItWas() {
        try (ToyGpt model = new ToyGpt(1, D, OUT, 1, CPU)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Lora.apply(model, LoraConfig.builder().targets("attn.c_attn", "attn.q_proj").build()));
            assertEquals("lora: target 'attn.q_proj' matches no module (Linear layers: [transformer.h.0.attn.c_attn, transformer.h.0.attn.c_proj, "
                    + "transformer.h.0.mlp.c_fc, transformer.h.0.mlp.c_proj, lm_head])", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Lora.apply(model, LoraConfig.builder().targets("attn").build()));
            assertEquals("lora: target 'attn' matches 'transformer.h.0.attn' (Holder), expected a Linear", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Lora.apply(model, LoraConfig.builder().targets("ln_f").build()));
            assertEquals("lora: target 'ln_f' matches 'transformer.ln_f' (LayerNorm), expected a Linear", e.getMessage());
            assertTrue(Lora.adapters(model).isEmpty());
            assertTrue(model.parameters().stream().allMatch(Tensor::requiresGrad), "nothing frozen");
            Lora.apply(model, LoraConfig.builder().build());
            e = assertThrows(IllegalArgumentException.class, () -> Lora.apply(model, LoraConfig.builder().targets("c_attn").build()));
            assertEquals("lora: 'transformer.h.0.attn.c_attn' is already adapted", e.getMessage());
        }
    }

    @Test
    void applyRefusesALinearWhoseWeightIsTied() {
        try (ToyGpt.Holder model = new ToyGpt.Holder()) {
            Linear proj = new Linear(D, D, false, new Generator(1), CPU);
            model.add("proj", proj).add("head", new TiedHead(proj.weight()));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Lora.apply(model, LoraConfig.builder().targets("proj").build()));
            assertEquals("lora: 'proj' shares its weight with another layer (tied); LoRA needs its own weight", e.getMessage());
            assertTrue(model.get("proj") == proj);
        }
    }
}
