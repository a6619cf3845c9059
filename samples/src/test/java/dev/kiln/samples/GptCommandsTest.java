package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.io.SafeTensors;
import dev.kiln.io.TensorFile;
import dev.kiln.nn.gpt.Gpt;
import dev.kiln.nn.lora.Lora;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./kiln gpt pretrain|finetune|generate} end to end on a tiny GPT and small generated corpora
 * laid out as {@code ./kiln fetch-data} leaves them (seconds): the loss falls below the unigram
 * baseline, files are written, exact resume, the LoRA file holds only adapters, head-only fine-tuning
 * leaves every other parameter bit-identical, and generation with an adapter equals generation after
 * merging it; plus one-line refusals of bad command lines.
 */
class GptCommandsTest {
    /** A tiny model and budget: one block of width 16, context 16. */
    private static final String[] TINY = {"--layers", "1", "--width", "16", "--heads", "2", "--context", "16", "--batch-size", "8",
        "--vocab", "300", "--eval-batches", "2", "--sample-tokens", "5", "--backend", "cpu"};

    @TempDir
    Path dir;
    private Path data;
    private String out, err;

    @BeforeEach
    void corpora() throws IOException {
        data = dir.resolve("data");
        Generator g = new Generator(3);
        // "chinese": short documents from a small, regular vocabulary (learnable in a few dozen steps)
        String[] words = {"春风", "明月", "山中", "江水", "白云", "故人", "千里", "归来"};
        List<String> docs = new ArrayList<>();
        for (int d = 0; d < 120; d++) {
            StringBuilder sb = new StringBuilder();
            for (int line = 0; line < 2; line++) {
                for (int w = 0; w < 3; w++) sb.append(words[(d + line * 3 + w) % words.length]);
                sb.append(line == 0 ? "，" : "。\n");
            }
            docs.add(sb.toString() + (g.nextInt(2) == 0 ? "" : words[g.nextInt(words.length)] + "。"));
        }
        write(data.resolve("fortunes/zh/chinese"), docs);
        // "tang300": the same words in another pattern (what fine-tuning adapts to)
        List<String> poems = new ArrayList<>();
        for (int d = 0; d < 40; d++) {
            StringBuilder sb = new StringBuilder("\u001B[32m题" + d + "\u001B[0m\n");
            for (int line = 0; line < 4; line++) sb.append(words[(d + line) % 8]).append(words[(d * 3 + line) % 8]).append(line % 2 == 0 ? "，" : "。\n");
            poems.add(sb.toString());
        }
        write(data.resolve("fortunes/zh/tang300"), poems);
    }

    private static void write(Path file, List<String> docs) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("%\n", docs.stream().map(d -> d.endsWith("\n") ? d : d + "\n").toList()) + "%\n");
    }

    /** Runs {@code ./kiln gpt ARGS} as main would, capturing what it prints; returns the exit status. */
    private int gpt(String... argv) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        PrintStream realOut = System.out;
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        try {
            return GptCommand.execute(argv, new PrintStream(e, true, StandardCharsets.UTF_8));
        } finally {
            System.setOut(realOut);
            out = o.toString(StandardCharsets.UTF_8);
            err = e.toString(StandardCharsets.UTF_8);
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private String[] pretrain(Path model, String... more) {
        return concat(concat(new String[] {"pretrain", "--corpus", "chinese", "--data", data.toString(), "--checkpoint", model.toString()}, TINY),
                more);
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "'" + regex + "' in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void pretrainFinetuneEveryMethodAndGenerate() throws IOException {
        Path model = dir.resolve("out/gpt.safetensors"), metrics = dir.resolve("out/pretrain.json"), report = dir.resolve("report");
        assertEquals(0, gpt(pretrain(model, "--steps", "80", "--lr", "0.02", "--eval-every", "20", "--metrics-out", metrics.toString(),
                "--report", report.toString())), err);
        double unigram = number(out, "unigram baseline: validation loss (\\d+\\.\\d+)");
        double first = number(out, "step 20/80: val loss (\\d+\\.\\d+)"), last = number(out, "step 80/80: val loss (\\d+\\.\\d+)");
        assertTrue(last < first && last < unigram - 0.2, "validation loss " + first + " -> " + last + ", unigram " + unigram + "\n" + out);
        assertTrue(out.contains("sample at step 20: "), out);
        for (Path f : List.of(model, GptRuns.tokenizerFile(model), GptRuns.trainingFile(model), metrics)) assertTrue(Files.isRegularFile(f), f.toString());
        assertNotNull(ImageIO.read(report.resolve(GptReport.LOSS).toFile()));
        String json = Files.readString(metrics);
        assertTrue(json.contains("\"unigram_val_loss\"") && json.contains("\"final_val_perplexity\"") && json.contains("\"tokens_per_s\"")
                && json.contains("\"type\": \"byte_bpe\""), json);

        // every method, one after the other, with the same budget
        Path table = dir.resolve("out/compare.md");
        assertEquals(0, gpt("finetune", "--from", model.toString(), "--data", data.toString(), "--compare", "--steps", "12", "--batch-size", "4",
                "--eval-every", "6", "--sample-tokens", "4", "--rank", "2", "--alpha", "4", "--backend", "cpu",
                "--out", dir.resolve("out/ft-METHOD.safetensors").toString(), "--table-out", table.toString()), err);
        double zeroShot = number(out, "zero-shot validation loss (\\d+\\.\\d+)");
        String md = Files.readString(table);
        for (String m : List.of("lora", "head", "full", "scratch")) {
            assertTrue(md.contains("| " + m + " | "), md);
            assertTrue(Files.isRegularFile(dir.resolve("out/ft-" + m + ".safetensors")), m);
        }
        assertTrue(md.contains("| zero-shot (pre-trained) | 0 | 0% |") && md.contains("LoRA gets "), md);
        assertTrue(Files.isRegularFile(dir.resolve("out/compare.json")));
        double full = number(out, "full: validation loss (\\d+\\.\\d+)");
        assertTrue(full < zeroShot, "full fine-tuning " + full + " vs zero-shot " + zeroShot);

        Backend cpu = Kiln.useBackend("cpu");
        Path adapter = dir.resolve("out/ft-lora.safetensors");
        try (TensorFile f = SafeTensors.read(adapter, cpu)) { // only adapter tensors, naming the base
            assertEquals(4, f.tensors().size(), f.tensors().keySet().toString()); // c_attn and c_proj of one block, A and B each
            for (String k : f.tensors().keySet()) assertTrue(k.endsWith(".lora_A.weight") || k.endsWith(".lora_B.weight"), k);
            assertEquals(model.getFileName().toString(), f.metadata().get("base"));
        }
        // head-only: lm_head and ln_f changed, every other parameter bit-identical to the base
        try (Gpt base = Gpt.load(model, cpu); Gpt head = Gpt.load(dir.resolve("out/ft-head.safetensors"), cpu)) {
            assertTrue(head.isHeadUntied());
            Map<String, Tensor> b = base.namedParameters(), h = head.namedParameters();
            assertEquals(b.size() + 1, h.size());
            for (Map.Entry<String, Tensor> e : b.entrySet()) {
                float[] before = e.getValue().toFloatArray(), after = h.get(e.getKey()).toFloatArray();
                if (e.getKey().startsWith("transformer.ln_f.")) continue;
                assertArrayEquals(before, after, e.getKey() + " must not change in head-only fine-tuning");
            }
            assertFalse(java.util.Arrays.equals(b.get("transformer.wte.weight").toFloatArray(), h.get(Gpt.LM_HEAD).toFloatArray()), "the head trained");
        }

        // generate: with the adapter == after merging it; with the cache == without
        String[] gen = {"generate", "--checkpoint", model.toString(), "--adapter", adapter.toString(), "--prompt", "春风", "--max-tokens", "12",
            "--seed", "5", "--backend", "cpu"};
        assertEquals(0, gpt(gen), err);
        String adapted = out.lines().filter(l -> l.startsWith("春风")).findFirst().orElseThrow();
        assertTrue(out.contains("tokens/s (KV cache"), out);
        assertEquals(0, gpt(concat(gen, "--merge")), err);
        assertEquals(adapted, out.lines().filter(l -> l.startsWith("春风")).findFirst().orElseThrow());
        assertEquals(0, gpt("generate", "--checkpoint", dir.resolve("out/ft-full.safetensors").toString(), "--prompt", "明月", "--compare-cache",
                "--max-tokens", "10", "--backend", "cpu"), err);
        assertTrue(out.contains("without the KV cache: ") && out.contains("same tokens: yes"), out);
    }

    /** A run stopped at step 6 and resumed to 12 ends with the weights of an uninterrupted 12-step run. */
    @Test
    void resumeIsExact() throws IOException {
        Path straight = dir.resolve("a/gpt.safetensors"), resumed = dir.resolve("b/gpt.safetensors");
        assertEquals(0, gpt(pretrain(straight, "--steps", "12", "--eval-every", "6", "--dropout", "0.1")), err);
        assertEquals(0, gpt(pretrain(resumed, "--steps", "12", "--stop-after", "6", "--eval-every", "6", "--dropout", "0.1")), err);
        assertTrue(out.contains("stopped after step 6 of 12"), out);
        assertEquals(0, gpt(pretrain(resumed, "--steps", "12", "--eval-every", "6", "--dropout", "0.1", "--resume",
                GptRuns.trainingFile(resumed).toString())), err);
        assertTrue(out.contains("resumed from ") && out.contains(" at step 6"), out);
        Backend cpu = Kiln.useBackend("cpu");
        try (Gpt a = Gpt.load(straight, cpu); Gpt b = Gpt.load(resumed, cpu)) {
            a.namedParameters().forEach((k, v) -> assertArrayEquals(v.toFloatArray(), b.namedParameters().get(k).toFloatArray(), k));
        }
    }

    @Test
    void badCommandLinesAreRefusedInOneLine() {
        assertEquals(2, gpt());
        assertTrue(err.contains("usage: ./kiln gpt pretrain|finetune|generate"), err);
        assertEquals(2, gpt("train"));
        assertTrue(err.startsWith("kiln gpt: unknown subcommand 'train'"), err);
        assertEquals(0, gpt("pretrain", "--help"));
        assertTrue(out.contains("--corpus VALUE") && out.contains("--eval-every VALUE"), out);
        assertEquals(2, gpt("pretrain", "--corpus", "klingon"));
        assertTrue(err.startsWith("gpt pretrain: --corpus must be one of fortunes, chinese, got 'klingon'"), err);
        assertEquals(2, gpt("pretrain", "--width", "30", "--heads", "4"));
        assertTrue(err.startsWith("gpt pretrain: --heads 4 must divide --width 30"), err);
        assertEquals(2, gpt("pretrain", "--vocab", "100"));
        assertTrue(err.startsWith("gpt pretrain: --vocab must be between 257"), err);
        assertEquals(1, gpt("pretrain", "--corpus", "fortunes", "--data", data.toString(), "--checkpoint", dir.resolve("x.safetensors").toString(),
                "--backend", "cpu"));
        assertTrue(err.contains("./kiln fetch-data --only fortunes"), err);
        assertEquals(2, gpt("finetune", "--method", "lora"));
        assertTrue(err.startsWith("gpt finetune: --from is required"), err);
        assertEquals(2, gpt("finetune", "--from", dir.resolve("none.safetensors").toString()));
        assertTrue(err.startsWith("gpt finetune: --from " + dir.resolve("none.safetensors") + ": no such file"), err);
        assertEquals(2, gpt("generate", "--prompt", "x"));
        assertTrue(err.startsWith("gpt generate: --checkpoint is required"), err);
        assertEquals(2, gpt("generate", "--checkpoint", dir.toString(), "--top-p", "1.5"));
        assertEquals(2, gpt("generate", "--checkpoint", dir.resolve("none").toString()));
        assertTrue(err.startsWith("gpt generate: --checkpoint " + dir.resolve("none") + ": no such file"), err);
    }
}
