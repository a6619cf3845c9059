package dev.kiln.snippets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.data.Batch;
import dev.kiln.nn.gpt.GenerationOptions;
import dev.kiln.nn.gpt.Gpt;
import dev.kiln.nn.gpt.GptConfig;
import dev.kiln.nn.lora.Lora;
import dev.kiln.nn.lora.LoraAdaptation;
import dev.kiln.nn.lora.LoraConfig;
import dev.kiln.optim.AdamW;
import dev.kiln.optim.WeightDecayGroups;
import dev.kiln.optim.schedule.WarmupCosine;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import dev.kiln.text.ByteLevelBpeTokenizer;
import dev.kiln.text.SequentialTokenBatches;
import dev.kiln.text.TokenBatches;
import dev.kiln.text.Tokenizer;
import dev.kiln.train.StepEvaluation;
import dev.kiln.train.StepTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's language-model walk-through, run as a test: a byte-level BPE tokenizer and a tiny
 * GPT learn a small repetitive corpus (validation loss far below the uniform ln(vocab)), generate
 * the same tokens with and without the KV cache, and a LoRA adapter trains, saves and merges
 * without touching the base weights.
 */
class LanguageModelSnippetsTest {
    @TempDir
    Path dir;

    /** Little poems over a tiny vocabulary: easy to learn in a few dozen steps. */
    private static List<String> documents(int n) {
        String[] words = {"the cat sat on the mat.", "a dog ran in the fog.", "the sun is up.", "we sing a song."};
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) docs.add(words[i % 4] + " " + words[(i / 4) % 4]);
        return docs;
    }

    @Test
    void pretrainGenerateAndAdapt() throws IOException {
        Backend backend = Kiln.useBackend("cpu");
        List<String> trainDocs = documents(64), valDocs = documents(8);
        // @start region="pretrain"
        Tokenizer tok = ByteLevelBpeTokenizer.train(trainDocs, 300);           // 256 bytes + merges + <|endoftext|>
        int[] train = tok.encodeDocuments(trainDocs), val = tok.encodeDocuments(valDocs);
        GptConfig config = GptConfig.builder().vocabSize(tok.vocabSize()).contextLength(32)
                .layers(2).heads(2).width(32).build();
        Gpt gpt = new Gpt(config, new Generator(1), backend);                   // nanoGPT's names, head tied to wte
        Generator windows = new Generator(2);
        AdamW adamw = AdamW.builder(WeightDecayGroups.of(gpt).paramGroups(0.1)).lr(3e-3).build();
        StepTrainer trainer = StepTrainer.builder(gpt, adamw, new TokenBatches(backend, train, 8, 32, windows))
                .schedule(new WarmupCosine(10, 100))
                .clipGradNorm(1.0)
                .evaluateEvery(50, new SequentialTokenBatches(backend, val, 8, 32))
                .randomStream("windows", windows)                               // exact resume
                .build();
        trainer.fit(100);
        StepEvaluation eval = trainer.lastEvaluation();                         // validation loss and perplexity
        gpt.save(dir.resolve("gpt.safetensors"));                               // weights + config
        tok.save(dir.resolve("tokenizer.json"));
        // @end
        assertTrue(eval.loss() < 0.5 * Math.log(tok.vocabSize()), "validation loss " + eval.loss() + " vs uniform " + Math.log(tok.vocabSize()));
        adamw.close();

        // @start region="generate"
        Gpt model = Gpt.load(dir.resolve("gpt.safetensors"), backend);
        Tokenizer tokenizer = Tokenizer.load(dir.resolve("tokenizer.json"));
        GenerationOptions options = GenerationOptions.builder().maxNewTokens(40).temperature(0.8f).topK(20)
                .seed(7).stopToken(tokenizer.endOfText()).build();                // useCache(true) is the default
        int[] tokens = model.generate(tokenizer.encode("the cat"), options);     // the new tokens, stop token included
        String text = "the cat" + tokenizer.decode(tokens);
        // @end
        assertTrue(text.length() > "the cat".length(), text);
        int[] uncached = model.generate(tokenizer.encode("the cat"), GenerationOptions.builder().maxNewTokens(40).temperature(0.8f)
                .topK(20).seed(7).stopToken(tokenizer.endOfText()).useCache(false).build());
        assertArrayEquals(uncached, tokens, "generation with and without the KV cache");

        Map<String, Tensor> before = copies(model.stateDict());
        Generator poemWindows = new Generator(3);
        // @start region="lora"
        LoraAdaptation lora = Lora.apply(model, LoraConfig.builder().rank(4).alpha(8).build()); // attn.c_attn, attn.c_proj
        AdamW loraOptimizer = AdamW.builder(model.trainableParameters()).lr(1e-2).build();      // only the adapters
        StepTrainer.builder(model, loraOptimizer, new TokenBatches(backend, val, 8, 32, poemWindows)).build().fit(20);
        Lora.saveAdapters(model, dir.resolve("poems.lora.safetensors"), "gpt.safetensors");    // adapters + their base
        Lora.merge(model);                                                                       // plain Linear layers again
        // @end
        assertTrue(lora.trainableParameters() < lora.totalParameters() / 10, lora.toString());
        loraOptimizer.close();
        assertTrue(Files.size(dir.resolve("poems.lora.safetensors")) < Files.size(dir.resolve("gpt.safetensors")) / 4);
        try (Gpt base = Gpt.load(dir.resolve("gpt.safetensors"), backend)) {
            // the base file is unchanged, and the merged model differs from it only in the adapted layers
            for (Map.Entry<String, Tensor> e : base.stateDict().entrySet()) {
                boolean adapted = e.getKey().contains("attn.c_attn.weight") || e.getKey().contains("attn.c_proj.weight");
                boolean same = java.util.Arrays.equals(before.get(e.getKey()).toFloatArray(), e.getValue().toFloatArray());
                assertTrue(same, "base file's " + e.getKey());
                boolean mergedSame = java.util.Arrays.equals(model.stateDict().get(e.getKey()).toFloatArray(), e.getValue().toFloatArray());
                assertEquals(!adapted, mergedSame, e.getKey());
            }
        }
        before.values().forEach(Tensor::close);
        model.close();
        gpt.close();
    }

    private static Map<String, Tensor> copies(Map<String, Tensor> state) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }
}
