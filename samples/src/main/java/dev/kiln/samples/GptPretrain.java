package dev.kiln.samples;

import dev.kiln.nn.gpt.Gpt;
import dev.kiln.nn.gpt.GptConfig;
import dev.kiln.optim.AdamW;
import dev.kiln.optim.WeightDecayGroups;
import dev.kiln.optim.schedule.WarmupCosine;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.text.ByteLevelBpeTokenizer;
import dev.kiln.text.CharTokenizer;
import dev.kiln.text.DocumentSplit;
import dev.kiln.text.SequentialTokenBatches;
import dev.kiln.text.TextCorpus;
import dev.kiln.text.TokenBatches;
import dev.kiln.text.Tokenizer;
import dev.kiln.train.NonFiniteLossException;
import dev.kiln.train.StepEvaluation;
import dev.kiln.train.StepListener;
import dev.kiln.train.StepProgress;
import dev.kiln.train.StepTrainer;
import dev.kiln.train.StepUpdate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./kiln gpt pretrain}: trains a byte-level BPE tokenizer on the training documents of a
 * fortune corpus, then a small GPT (nanoGPT's recipe: AdamW with betas 0.9/0.95 and weight decay
 * on the weight matrices only, linear warm-up then cosine decay to a tenth, gradient clipping) on
 * random windows of the training stream. Every {@code --eval-every} steps it prints the validation
 * loss and perplexity and a text sample; the unigram baseline is printed first, so the gain over
 * "knowing which tokens are common" is visible. Writes the model ({@link Gpt#save}: weights and
 * configuration), the tokenizer beside it, and a resumable training checkpoint.
 */
final class GptPretrain {
    /** Stands for the corpus name in the default model path. */
    private static final String CORPUS = "CORPUS";
    /** The default vocabulary of each corpus (see {@link #defaultVocab}). */
    private static final int VOCAB_EN = 2048, VOCAB_ZH = 3072;

    private GptPretrain() {}

    static Args options() {
        return new Args("gpt pretrain", "Pre-train a small GPT (token + position embeddings, pre-norm blocks, tied head) on a fortune corpus.")
                .option("corpus", "chinese", "fortunes (English, ./kiln fetch-data --only fortunes) or chinese (--only fortunes-zh)")
                .option("data", "data", "data folder holding fortunes/en and fortunes/zh")
                .option("tokenizer", "bpe", "bpe (byte-level BPE trained on the training documents) or char (one token per character)")
                .option("vocab", "auto", "BPE vocabulary size; auto: " + VOCAB_EN + " for fortunes, " + VOCAB_ZH + " for chinese")
                .option("layers", "4", "transformer blocks")
                .option("width", "128", "embedding width C")
                .option("heads", "4", "attention heads (must divide the width)")
                .option("context", "128", "context length T (tokens per training window)")
                .option("dropout", "0.0", "dropout probability (embeddings, attention weights, residuals)")
                .option("steps", "800", "optimizer steps in all (counting those of a resumed checkpoint)")
                .option("stop-after", null, "stop after this many steps in all, keeping the schedule of --steps (continue later with --resume)")
                .option("batch-size", "32", "windows per micro-batch")
                .option("accumulate", "1", "micro-batches per optimizer step (gradient accumulation)")
                .option("lr", "0.002", "AdamW peak learning rate")
                .option("warmup", "auto", "steps of linear warm-up before the cosine decay to lr/10; auto: a tenth of --steps, at most 100")
                .option("weight-decay", "0.1", "AdamW decoupled weight decay of the weight matrices (not norms, biases, embeddings)")
                .option("clip", "1.0", "largest global gradient norm (0: no clipping)")
                .option("eval-every", "100", "steps between validation evaluations (with a text sample)")
                .option("eval-batches", "16", "validation batches per evaluation (the first ones, always the same)")
                .option("sample-tokens", "80", "tokens of the text sample printed at each evaluation (0: none)")
                .option("seed", "1337", "seed of the initial weights, dropout and the training windows")
                .backendOption()
                .option("checkpoint", "out/gpt-" + CORPUS + ".safetensors",
                        "the model file (weights + config) for finetune and generate; the tokenizer goes beside it as .tokenizer.json")
                .option("checkpoint-every", "200", "steps between resumable training checkpoints (.train.safetensors beside the model; the model file is updated too)")
                .option("resume", null, "resume from this training checkpoint (a .train.safetensors file)")
                .option("metrics-out", null, "write metrics JSON to this file")
                .option("report", null, "write " + GptReport.LOSS + " (training and validation loss, unigram baseline) into this folder");
    }

    static void run(Args a) throws Exception {
        String corpusName = a.choice("corpus", "fortunes", "chinese");
        String tokenizerKind = a.choice("tokenizer", "bpe", "char");
        int vocab = defaultVocab(a, corpusName);
        int layers = a.integer("layers", 1, 256), width = a.integer("width", 1, 1 << 16), heads = a.integer("heads", 1, 1 << 12);
        int context = a.integer("context", 1, 1 << 16), steps = a.integer("steps", 1), batch = a.integer("batch-size", 1);
        int accumulate = a.integer("accumulate", 1), evalEvery = a.integer("eval-every", 1);
        int evalBatches = a.integer("eval-batches", 1), sampleTokens = a.integer("sample-tokens", 0, 1 << 16);
        int checkpointEvery = a.integer("checkpoint-every", 1);
        double lr = a.positive("lr"), weightDecay = SeqMnistCommand.nonNegative(a, "weight-decay"), clip = SeqMnistCommand.nonNegative(a, "clip");
        double dropout = SeqMnistCommand.nonNegative(a, "dropout");
        if (dropout >= 1) throw a.usage("--dropout must be below 1, got " + a.string("dropout"));
        if (width % heads != 0) throw a.usage("--heads " + heads + " must divide --width " + width);
        int warmup = a.string("warmup").equals("auto") ? Math.min(100, steps / 10) : a.integer("warmup", 0, steps);
        int stopAfter = a.has("stop-after") ? a.integer("stop-after", 1, steps) : steps;
        long seed = a.longValue("seed");
        Path model = Path.of(a.string("checkpoint").replace(CORPUS, corpusName));
        Path tokFile = GptRuns.tokenizerFile(model), training = GptRuns.trainingFile(model);
        OutputPaths.checkFile(a, "checkpoint", model);
        OutputPaths.checkFile(a, "checkpoint", tokFile);
        OutputPaths.checkFile(a, "checkpoint", training);
        OutputPaths.checkFile(a, "metrics-out");
        OutputPaths.checkFolder(a, "report", GptReport.LOSS);
        Path resume = a.path("resume");
        if (resume != null && !Files.isRegularFile(resume)) throw a.usage("--resume " + resume + ": no such file");
        Backend backend = Setup.backend(a);

        TextCorpus corpus = GptRuns.corpus(a.path("data"), corpusName);
        DocumentSplit split = corpus.split(GptRuns.VALIDATION, GptRuns.SPLIT_SEED);
        long t0 = System.nanoTime();
        Tokenizer tok = tokenizer(tokenizerKind, corpus, split, vocab, resume != null ? tokFile : null);
        double tokSeconds = (System.nanoTime() - t0) / 1e9;
        int[] train = tok.encodeDocuments(split.train()), val = tok.encodeDocuments(split.validation());
        System.out.printf(Locale.ROOT, "corpus %s: %d documents (%d for training, %d for validation, split by document with seed %d)%n",
                corpusName, corpus.documents().size(), split.train().size(), split.validation().size(), GptRuns.SPLIT_SEED);
        System.out.printf(Locale.ROOT, "tokenizer: %s, %d tokens (%.1f s); %s training and %s validation tokens (%.2f characters per token)%n",
                tokenizerKind.equals("bpe") ? "byte-level BPE" : "characters", tok.vocabSize(), tokSeconds, GptRuns.count(train.length),
                GptRuns.count(val.length), chars(split.train()) / (double) (train.length - split.train().size() - 1));
        if (val.length < context + 1) throw a.usage("--context " + context + " is longer than the validation stream (" + val.length + " tokens)");
        double unigram = GptRuns.unigramLoss(train, val, tok.vocabSize(), batch, context, evalBatches);
        System.out.printf(Locale.ROOT, "unigram baseline: validation loss %.4f (perplexity %.1f): token frequencies of the training split, add-one smoothed%n",
                unigram, Math.exp(unigram));
        tok.save(tokFile);

        GptConfig config = GptConfig.builder().vocabSize(tok.vocabSize()).contextLength(context).layers(layers).heads(heads).width(width)
                .dropout((float) dropout).build();
        Generator init = new Generator(seed), windows = new Generator(seed + 1);
        try (Gpt gpt = new Gpt(config, init, backend)) {
            WeightDecayGroups groups = WeightDecayGroups.of(gpt);
            try (AdamW adamw = AdamW.builder(groups.paramGroups(weightDecay)).lr(lr).betas(0.9, 0.95).build()) {
                long params = gpt.parameters().stream().mapToLong(t -> t.numel()).sum();
                System.out.printf(Locale.ROOT, "model: %s, %s parameters (decayed: %s in %d matrices)%n", GptRuns.describe(config),
                        GptRuns.count(params), GptRuns.count(groups.decay().values().stream().mapToLong(t -> t.numel()).sum()), groups.decay().size());
                SequentialTokenBatches valBatches = GptRuns.validation(gpt, val, batch, evalBatches);
                GptRuns.Trace trace = new GptRuns.Trace();
                StepTrainer trainer = StepTrainer.builder(gpt, adamw, new TokenBatches(backend, train, batch, context, windows))
                        .gradientAccumulation(accumulate).clipGradNorm(clip).schedule(new WarmupCosine(warmup, steps, 0.1))
                        .evaluateEvery(evalEvery, valBatches).logEvery(Math.max(1, evalEvery / 10))
                        .checkpointEvery(checkpointEvery, training).randomStream("windows", windows).randomStream("init+dropout", init)
                        .listener(StepProgress.forConsole()).listener(trace).listener(GptRuns.samplePrinter(gpt, tok, sampleTokens))
                        .listener(modelSaver(gpt, model, checkpointEvery)).build();
                if (resume != null) {
                    trainer.resume(resume);
                    System.out.printf("resumed from %s at step %d%n", resume, trainer.step());
                }
                System.out.printf(Locale.ROOT, "training %d steps of %d x %d windows of %d tokens (%s tokens per step), AdamW lr %s betas 0.9/0.95 "
                                + "weight decay %s, %d warm-up steps then cosine to lr/10%s%n", steps, accumulate, batch, context,
                        GptRuns.count((long) accumulate * batch * context), a.string("lr"), a.string("weight-decay"), warmup,
                        clip > 0 ? ", gradient norm clipped at " + clip : "");
                try {
                    trainer.fit(stopAfter);
                } catch (NonFiniteLossException e) {
                    throw new IllegalStateException(e.getMessage() + "; " + training + " holds the last checkpoint (lower --lr)", e);
                }
                StepEvaluation last = trainer.lastEvaluation() != null ? trainer.lastEvaluation() : trainer.evaluate();
                double trainedSeconds = trainer.seconds();
                gpt.save(model);
                System.out.printf(Locale.ROOT, "validation loss %.4f (perplexity %.2f) vs unigram %.4f (perplexity %.1f): %.2f nats per token better%n",
                        last.loss(), last.perplexity(), unigram, Math.exp(unigram), unigram - last.loss());
                System.out.printf(Locale.ROOT, "trained %d steps, %.0f s in all (evaluations included)%s%n", trainer.step(), trainedSeconds,
                        trace.tokens > 0 ? String.format(Locale.ROOT, "; this run's steps: %s tokens/s", GptRuns.count(Math.round(trace.tokensPerSecond())))
                                : "");
                if (stopAfter < steps) System.out.printf("stopped after step %d of %d as --stop-after asks; continue with --resume %s%n", stopAfter, steps, training);
                System.out.println("model: " + model + " (tokenizer: " + tokFile + ", training checkpoint: " + training + ")");
                if (a.has("metrics-out")) {
                    Map<String, Object> m = Json.obj("command", "gpt pretrain", "corpus", corpusName, "backend", backend.name(),
                            "device", backend.description(), "config", Json.obj("model", GptRuns.configJson(config), "steps", steps, "batch_size", batch,
                                    "accumulate", accumulate, "lr", lr, "warmup", warmup, "weight_decay", weightDecay, "clip", clip,
                                    "eval_every", evalEvery, "eval_batches", evalBatches, "seed", seed, "split_seed", GptRuns.SPLIT_SEED,
                                    "validation_fraction", GptRuns.VALIDATION, "resumed_from", a.string("resume")),
                            "tokenizer", GptRuns.describe(tok, tokFile), "train_tokens", train.length, "validation_tokens", val.length,
                            "parameters", params, "unigram_val_loss", unigram, "unigram_val_perplexity", Math.exp(unigram),
                            "evaluations", GptRuns.evaluations(trainer.history()), "final_val_loss", last.loss(),
                            "final_val_perplexity", last.perplexity(), "steps_done", trainer.step(), "train_seconds", trainedSeconds,
                            "tokens_per_s", trace.tokensPerSecond(),
                            "model_file", model.toString(), "java", Runtime.version().toString(),
                            "cpu_threads", Runtime.getRuntime().availableProcessors());
                    Setup.writeJson(a.path("metrics-out"), m);
                }
                if (a.has("report")) {
                    Path p = GptReport.write(a.path("report"), "GPT pretrain on " + corpusName,
                            List.of(new GptReport.Run("pretrain", trace, trainer.history())), unigram);
                    System.out.println("report: " + p);
                }
            }
        }
    }

    /** Writes the model file with each training checkpoint, so finetune and generate can use a run still going. */
    private static StepListener modelSaver(Gpt gpt, Path model, int every) {
        return new StepListener() {
            @Override
            public void onStep(StepTrainer trainer, StepUpdate u) {
                if (u.step() % every != 0) return;
                try {
                    gpt.save(model);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("writing " + model + " at step " + u.step() + " failed: " + e.getMessage(), e);
                }
            }
        };
    }

    private static int defaultVocab(Args a, String corpus) throws Args.UsageException {
        if (a.string("vocab").equals("auto")) return corpus.equals("chinese") ? VOCAB_ZH : VOCAB_EN;
        return a.integer("vocab", 257, 1 << 20);
    }

    /**
     * BPE: trained on the training documents only. Characters: the alphabet of the whole corpus,
     * since a character tokenizer cannot encode a validation character the training text lacks
     * (only the alphabet is shared, not the text). On a resume, the tokenizer file of the run.
     */
    private static Tokenizer tokenizer(String kind, TextCorpus corpus, DocumentSplit split, int vocab, Path existing) throws java.io.IOException {
        if (existing != null && Files.isRegularFile(existing)) {
            System.out.println("tokenizer: " + existing + " (of the run being resumed)");
            return Tokenizer.load(existing);
        }
        return kind.equals("bpe") ? ByteLevelBpeTokenizer.train(split.train(), vocab) : CharTokenizer.train(corpus.documents());
    }

    private static long chars(List<String> docs) {
        long n = 0;
        for (String d : docs) n += d.codePointCount(0, d.length());
        return n;
    }
}
