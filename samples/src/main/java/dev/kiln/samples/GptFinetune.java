package dev.kiln.samples;

import dev.kiln.io.AtomicFile;
import dev.kiln.nn.gpt.Gpt;
import dev.kiln.nn.gpt.GptConfig;
import dev.kiln.nn.lora.FineTuning;
import dev.kiln.nn.lora.Lora;
import dev.kiln.nn.lora.LoraConfig;
import dev.kiln.optim.AdamW;
import dev.kiln.optim.WeightDecayGroups;
import dev.kiln.optim.schedule.WarmupCosine;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.text.DocumentSplit;
import dev.kiln.text.SequentialTokenBatches;
import dev.kiln.text.TextCorpus;
import dev.kiln.text.TokenBatches;
import dev.kiln.text.Tokenizer;
import dev.kiln.train.NonFiniteLossException;
import dev.kiln.train.StepEvaluation;
import dev.kiln.train.StepProgress;
import dev.kiln.train.StepRecord;
import dev.kiln.train.StepTrainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./kiln gpt finetune}: adapts a pre-trained GPT to a small corpus (the 300 Tang poems by
 * default, split by poem) with one method, or with {@code --compare} all four under the same step
 * budget, training windows and validation set:
 * <ul>
 *   <li>{@code lora}: rank-r adapters on the attention projections (and the MLP with {@code --mlp}),
 *       everything else frozen; saves only the adapters, naming their base;</li>
 *   <li>{@code head}: the head only; the pre-trained head is tied to the token embedding, so it is
 *       first untied ({@link Gpt#untieHead()}) and only {@code lm_head} and the final LayerNorm train;</li>
 *   <li>{@code full}: every parameter;</li>
 *   <li>{@code scratch}: the same architecture from random weights, trained on the small corpus alone.</li>
 * </ul>
 * Reports the zero-shot validation loss first, then per method the validation loss and perplexity,
 * trainable parameters, seconds and the size of the saved file.
 */
final class GptFinetune {
    /** Stands for the method in the output path. */
    private static final String METHOD = "METHOD";
    private static final List<String> METHODS = List.of("lora", "head", "full", "scratch");

    private GptFinetune() {}

    static Args options() {
        return new Args("gpt finetune", "Fine-tune a pre-trained GPT on a small corpus: LoRA, head only, full, or the same model from scratch.")
                .option("from", null, "the pre-trained model file from ./kiln gpt pretrain (required)")
                .option("tokenizer-file", null, "its tokenizer, when not beside it (.tokenizer.json)")
                .option("corpus", "tang300", "tang300, song100, chinese or fortunes (split by document, 10% held out, fixed seed)")
                .option("data", "data", "data folder holding fortunes/en and fortunes/zh")
                .option("method", "lora", "lora, head, full or scratch")
                .flag("compare", "run all four methods with the same budget and write a comparison table (--table-out)")
                .option("steps", "150", "optimizer steps per method")
                .option("batch-size", "16", "windows per step")
                .option("lr", "auto", "AdamW peak learning rate; auto: lora 0.002, head 0.001, full 0.0003, scratch 0.002")
                .option("warmup", "auto", "steps of linear warm-up before the cosine decay to lr/10; auto: a tenth of --steps")
                .option("weight-decay", "0.01", "AdamW decoupled weight decay of the trained weight matrices")
                .option("clip", "1.0", "largest global gradient norm (0: no clipping)")
                .option("rank", "8", "LoRA rank r")
                .option("alpha", "16", "LoRA alpha (the update is scaled by alpha / r)")
                .flag("mlp", "LoRA adapters on the MLP layers too (default: attention projections only)")
                .option("eval-every", "25", "steps between validation evaluations")
                .option("eval-batches", "64", "validation batches per evaluation at most")
                .option("sample-tokens", "60", "tokens of the text sample printed at each evaluation (0: none)")
                .option("seed", "1337", "seed of the training windows, the LoRA A matrices and the scratch model's weights")
                .backendOption()
                .option("out", "out/gpt-CORPUS-" + METHOD + ".safetensors",
                        "what a method saves (METHOD: its name): the adapters alone for lora, the whole model (+ .tokenizer.json) otherwise")
                .option("table-out", "out/gpt-finetune-compare.md", "with --compare: the markdown table (and the same figures as .json beside it)")
                .option("metrics-out", null, "write metrics JSON to this file")
                .option("report", null, "write " + GptReport.LOSS + " (validation loss of each method) into this folder");
    }

    /** One method's result. */
    record Outcome(String method, double valLoss, double perplexity, double bestLoss, long bestStep, long trainable, long total,
                   double seconds, double tokensPerSecond, Path saved, long savedBytes, String sample, List<StepRecord> history,
                   GptRuns.Trace trace, double lr) {
        Map<String, Object> json() {
            return Json.obj("method", method, "lr", lr, "val_loss", valLoss, "val_perplexity", perplexity, "best_val_loss", bestLoss,
                    "best_step", bestStep, "trainable_parameters", trainable, "total_parameters", total,
                    "trainable_fraction", (double) trainable / total, "train_seconds", seconds, "tokens_per_s", tokensPerSecond,
                    "saved_file", saved.toString(), "saved_bytes", savedBytes, "sample", sample, "evaluations", GptRuns.evaluations(history));
        }
    }

    /** What every method shares: the data, the base and the settings. */
    private record Plan(Path from, Tokenizer tok, GptConfig base, int[] train, int[] val, int batch, int context, int steps, int warmup,
                        double weightDecay, double clip, int evalEvery, int evalBatches, int sampleTokens, long seed, LoraConfig lora,
                        String corpus, Backend backend) {}

    static void run(Args a) throws Exception {
        Path from = a.path("from");
        if (from == null) throw a.usage("--from is required (a model file from ./kiln gpt pretrain)");
        if (!Files.isRegularFile(from)) throw a.usage("--from " + from + ": no such file");
        String corpusName = a.choice("corpus", "tang300", "song100", "chinese", "fortunes");
        boolean compare = a.has("compare");
        String method = a.choice("method", "lora", "head", "full", "scratch");
        List<String> methods = compare ? METHODS : List.of(method);
        int steps = a.integer("steps", 1), batch = a.integer("batch-size", 1), evalEvery = a.integer("eval-every", 1);
        int evalBatches = a.integer("eval-batches", 1), sampleTokens = a.integer("sample-tokens", 0, 1 << 16);
        int warmup = a.string("warmup").equals("auto") ? steps / 10 : a.integer("warmup", 0, steps);
        double weightDecay = SeqMnistCommand.nonNegative(a, "weight-decay"), clip = SeqMnistCommand.nonNegative(a, "clip");
        Double lr = a.string("lr").equals("auto") ? null : a.positive("lr");
        LoraConfig.Builder lb = LoraConfig.builder().rank(a.integer("rank", 1, 1 << 16)).alpha(a.positive("alpha")).seed(a.longValue("seed"));
        if (a.has("mlp")) lb.withMlp();
        LoraConfig lora = lb.build();
        long seed = a.longValue("seed");
        String outPattern = a.string("out").replace("CORPUS", corpusName);
        for (String m : methods) {
            Path out = Path.of(outPattern.replace(METHOD, m));
            OutputPaths.checkFile(a, "out", out);
            if (!m.equals("lora")) OutputPaths.checkFile(a, "out", GptRuns.tokenizerFile(out));
        }
        if (compare) OutputPaths.checkFile(a, "table-out");
        OutputPaths.checkFile(a, "metrics-out");
        OutputPaths.checkFolder(a, "report", GptReport.LOSS);
        Tokenizer tok = GptRuns.tokenizer(from, a.path("tokenizer-file"));
        Backend backend = Setup.backend(a);

        TextCorpus corpus = GptRuns.corpus(a.path("data"), corpusName);
        DocumentSplit split = corpus.split(GptRuns.VALIDATION, GptRuns.SPLIT_SEED);
        int[] train = tok.encodeDocuments(split.train()), val = tok.encodeDocuments(split.validation());
        GptConfig base;
        double zeroShot;
        int context;
        try (Gpt gpt = Gpt.load(from, backend)) {
            base = gpt.config();
            if (base.vocabSize() != tok.vocabSize()) {
                throw new IllegalArgumentException("the tokenizer has " + tok.vocabSize() + " tokens, the model's vocabulary " + base.vocabSize()
                        + " (pass the tokenizer of " + from + " with --tokenizer-file)");
            }
            context = Math.min(base.contextLength(), (val.length - 1));
            if (context < 1) throw new IllegalArgumentException("the validation split of " + corpusName + " is too short to evaluate");
            System.out.printf(Locale.ROOT, "base: %s (%s), %s parameters%n", from, GptRuns.describe(base),
                    GptRuns.count(gpt.parameters().stream().mapToLong(t -> t.numel()).sum()));
            System.out.printf(Locale.ROOT, "corpus %s: %d documents (%d for training, %d for validation, split by document with seed %d); "
                            + "%s training and %s validation tokens%n", corpusName, corpus.documents().size(), split.train().size(),
                    split.validation().size(), GptRuns.SPLIT_SEED, GptRuns.count(train.length), GptRuns.count(val.length));
            zeroShot = GptRuns.loss(gpt, new SequentialTokenBatches(backend, val, batch, context, evalBatches));
        }
        double unigram = GptRuns.unigramLoss(train, val, tok.vocabSize(), batch, context, evalBatches);
        System.out.printf(Locale.ROOT, "zero-shot validation loss %.4f (perplexity %.1f); unigram baseline of the training split %.4f (perplexity %.1f)%n",
                zeroShot, Math.exp(zeroShot), unigram, Math.exp(unigram));
        Plan plan = new Plan(from, tok, base, train, val, batch, context, steps, warmup, weightDecay, clip, evalEvery, evalBatches, sampleTokens,
                seed, lora, corpusName, backend);

        List<Outcome> outcomes = new ArrayList<>();
        for (String m : methods) {
            double methodLr = lr != null ? lr : defaultLr(m);
            outcomes.add(runMethod(m, methodLr, Path.of(outPattern.replace(METHOD, m)), plan));
        }
        if (compare) {
            String table = table(outcomes, zeroShot, unigram, plan);
            System.out.print(table);
            Path md = a.path("table-out");
            Files.createDirectories(md.toAbsolutePath().getParent());
            AtomicFile.write(md, table.getBytes(StandardCharsets.UTF_8));
            System.out.println("table: " + md);
            Setup.writeJson(jsonBeside(md), metrics(outcomes, zeroShot, unigram, plan));
        }
        if (a.has("metrics-out")) Setup.writeJson(a.path("metrics-out"), metrics(outcomes, zeroShot, unigram, plan));
        if (a.has("report")) {
            List<GptReport.Run> runs = new ArrayList<>();
            for (Outcome o : outcomes) runs.add(new GptReport.Run(o.method(), o.trace(), o.history()));
            System.out.println("report: " + GptReport.write(a.path("report"), "fine-tuning on " + corpusName, runs, unigram));
        }
    }

    /** The default learning rates: adapters and a fresh model want a high one, updating pre-trained weights a low one. */
    static double defaultLr(String method) {
        return switch (method) {
            case "lora", "scratch" -> 2e-3;
            case "head" -> 1e-3;
            default -> 3e-4;
        };
    }

    private static Outcome runMethod(String method, double lr, Path out, Plan p) throws Exception {
        System.out.printf(Locale.ROOT, "%n== %s: %s, lr %s, %d steps of %d windows of %d tokens ==%n", method, describe(method, p), lr, p.steps(),
                p.batch(), p.context());
        try (Gpt gpt = method.equals("scratch") ? new Gpt(p.base(), new Generator(p.seed()), p.backend()) : Gpt.load(p.from(), p.backend())) {
            FineTuning.Trainable t = switch (method) {
                case "lora" -> FineTuning.lora(gpt, p.lora());
                case "head" -> FineTuning.headOnly(gpt.untieHead(), "lm_head", "transformer.ln_f");
                default -> FineTuning.full(gpt);
            };
            System.out.printf(Locale.ROOT, "trainable: %s of %s parameters (%.2f%%)%n", GptRuns.count(t.trainableParameters()),
                    GptRuns.count(t.totalParameters()), 100 * t.trainableFraction());
            WeightDecayGroups groups = WeightDecayGroups.of(gpt);
            Generator windows = new Generator(p.seed() + 1);
            GptRuns.Trace trace = new GptRuns.Trace();
            try (AdamW adamw = AdamW.builder(groups.paramGroups(p.weightDecay())).lr(lr).betas(0.9, 0.95).build()) {
                StepTrainer trainer = StepTrainer.builder(gpt, adamw, new TokenBatches(p.backend(), p.train(), p.batch(), p.context(), windows))
                        .clipGradNorm(p.clip()).schedule(new WarmupCosine(p.warmup(), p.steps(), 0.1))
                        .evaluateEvery(p.evalEvery(), new SequentialTokenBatches(p.backend(), p.val(), p.batch(), p.context(), p.evalBatches()))
                        .listener(StepProgress.forConsole()).listener(trace).listener(GptRuns.samplePrinter(gpt, p.tok(), p.sampleTokens())).build();
                try {
                    trainer.fit(p.steps());
                } catch (NonFiniteLossException e) {
                    throw new IllegalStateException(method + ": " + e.getMessage() + " (lower --lr)", e);
                }
                StepEvaluation last = trainer.lastEvaluation();
                double best = Double.POSITIVE_INFINITY;
                long bestStep = 0;
                for (StepRecord r : trainer.history()) {
                    if (r.valLoss() < best) {
                        best = r.valLoss();
                        bestStep = r.step();
                    }
                }
                if (method.equals("lora")) {
                    Lora.saveAdapters(gpt, out, p.from().getFileName().toString());
                } else {
                    gpt.save(out);
                    p.tok().save(GptRuns.tokenizerFile(out));
                }
                long size = Files.size(out);
                String sample = GptRuns.sample(gpt, p.tok(), Math.max(p.sampleTokens(), 1));
                System.out.printf(Locale.ROOT, "%s: validation loss %.4f (perplexity %.2f; best %.4f at step %d), %.0f s, saved %s (%s)%n", method,
                        last.loss(), last.perplexity(), best, bestStep, trainer.seconds(), out, GptRuns.bytes(size));
                return new Outcome(method, last.loss(), last.perplexity(), best, bestStep, t.trainableParameters(), t.totalParameters(),
                        trainer.seconds(), trace.tokensPerSecond(), out, size, sample, trainer.history(), trace, lr);
            }
        }
    }

    private static String describe(String method, Plan p) {
        return switch (method) {
            case "lora" -> "LoRA adapters rank " + p.lora().rank() + ", alpha " + p.lora().alpha() + " on " + String.join(", ", p.lora().targets())
                    + ", base frozen";
            case "head" -> "untied lm_head and ln_f only";
            case "full" -> "every parameter";
            default -> "the same architecture from random weights";
        };
    }

    /** The comparison as markdown: one row per method, then what the numbers say. */
    static String table(List<Outcome> outcomes, double zeroShot, double unigram, Plan p) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Fine-tuning %s on %s (%d steps of %d windows of %d tokens per method)%n%n", p.from().getFileName(),
                p.corpus(), p.steps(), p.batch(), p.context()));
        sb.append("| method | trainable parameters | share | lr | val loss | val perplexity | best val loss (step) | seconds | saved | size |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
        sb.append(String.format(Locale.ROOT, "| unigram baseline | | | | %.4f | %.1f | | | | |%n", unigram, Math.exp(unigram)));
        sb.append(String.format(Locale.ROOT, "| zero-shot (pre-trained) | 0 | 0%% | | %.4f | %.1f | | | | |%n", zeroShot, Math.exp(zeroShot)));
        for (Outcome o : outcomes) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f%% | %s | %.4f | %.1f | %.4f (%d) | %.0f | %s | %s |%n", o.method(),
                    GptRuns.count(o.trainable()), 100.0 * o.trainable() / o.total(), o.lr(), o.valLoss(), o.perplexity(), o.bestLoss(), o.bestStep(),
                    o.seconds(), o.saved().getFileName(), GptRuns.bytes(o.savedBytes())));
        }
        sb.append('\n').append(story(outcomes, zeroShot)).append('\n');
        return sb.toString();
    }

    /** What the measured numbers say about the expected story (fine-tuning beats scratch; LoRA gets most of full's gain). */
    static String story(List<Outcome> outcomes, double zeroShot) {
        Map<String, Outcome> by = new LinkedHashMap<>();
        for (Outcome o : outcomes) by.put(o.method(), o);
        List<String> lines = new ArrayList<>();
        Outcome full = by.get("full"), lora = by.get("lora"), scratch = by.get("scratch"), head = by.get("head");
        if (scratch != null) {
            for (Outcome o : outcomes) {
                if (o == scratch) continue;
                lines.add(String.format(Locale.ROOT, "- %s %s scratch: val loss %.4f vs %.4f.", o.method(),
                        o.valLoss() < scratch.valLoss() ? "beats" : "does NOT beat", o.valLoss(), scratch.valLoss()));
            }
        }
        if (full != null && lora != null) {
            double gainFull = zeroShot - full.valLoss(), gainLora = zeroShot - lora.valLoss();
            lines.add(String.format(Locale.ROOT, "- LoRA gets %.0f%% of full fine-tuning's gain over zero-shot (%.4f of %.4f nats per token) "
                            + "with %.1f%% of its trainable parameters.", gainFull > 0 ? 100 * gainLora / gainFull : Double.NaN, gainLora, gainFull,
                    100.0 * lora.trainable() / full.trainable()));
        }
        if (head != null && full != null) {
            lines.add(String.format(Locale.ROOT, "- head-only gets %.0f%% of full fine-tuning's gain.",
                    zeroShot - full.valLoss() > 0 ? 100 * (zeroShot - head.valLoss()) / (zeroShot - full.valLoss()) : Double.NaN));
        }
        return String.join("\n", lines) + (lines.isEmpty() ? "" : "\n");
    }

    private static Map<String, Object> metrics(List<Outcome> outcomes, double zeroShot, double unigram, Plan p) {
        List<Object> rows = new ArrayList<>();
        for (Outcome o : outcomes) rows.add(o.json());
        return Json.obj("command", "gpt finetune", "base", p.from().toString(), "corpus", p.corpus(), "backend", p.backend().name(),
                "device", p.backend().description(), "model", GptRuns.configJson(p.base()), "tokenizer", GptRuns.describe(p.tok(), null),
                "config", Json.obj("steps", p.steps(), "batch_size", p.batch(), "context", p.context(), "warmup", p.warmup(),
                        "weight_decay", p.weightDecay(), "clip", p.clip(), "eval_every", p.evalEvery(), "eval_batches", p.evalBatches(),
                        "seed", p.seed(), "split_seed", GptRuns.SPLIT_SEED, "validation_fraction", GptRuns.VALIDATION,
                        "lora", Json.obj("rank", p.lora().rank(), "alpha", p.lora().alpha(), "targets", new ArrayList<Object>(p.lora().targets()))),
                "train_tokens", p.train().length, "validation_tokens", p.val().length, "unigram_val_loss", unigram, "zero_shot_val_loss", zeroShot,
                "zero_shot_val_perplexity", Math.exp(zeroShot), "methods", rows, "java", Runtime.version().toString(),
                "cpu_threads", Runtime.getRuntime().availableProcessors());
    }

    private static Path jsonBeside(Path md) {
        String n = md.getFileName().toString();
        return md.resolveSibling((n.endsWith(".md") ? n.substring(0, n.length() - 3) : n) + ".json");
    }
}
