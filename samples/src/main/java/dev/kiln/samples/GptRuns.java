package dev.kiln.samples;

import dev.kiln.Kiln;
import dev.kiln.data.Batch;
import dev.kiln.nn.gpt.GenerationOptions;
import dev.kiln.nn.gpt.Gpt;
import dev.kiln.nn.gpt.GptConfig;
import dev.kiln.text.SequentialTokenBatches;
import dev.kiln.text.TextCorpus;
import dev.kiln.text.TokenBatches;
import dev.kiln.text.Tokenizer;
import dev.kiln.train.StepListener;
import dev.kiln.train.StepRecord;
import dev.kiln.train.StepTrainer;
import dev.kiln.train.StepUpdate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the {@code ./kiln gpt} commands share: file names beside a checkpoint, the corpus split,
 * the unigram baseline, validation loss, the text sample printed at evaluations and the loss
 * trace of the report.
 */
final class GptRuns {
    /** The seed of every train/validation split: fixed, so runs with different {@code --seed}s share one validation set. */
    static final long SPLIT_SEED = 1234;
    /** The share of documents held out for validation. */
    static final double VALIDATION = 0.1;
    /** The settings of the text samples printed at evaluations: fixed, so samples of different steps compare. */
    static final float SAMPLE_TEMPERATURE = 0.8f;
    static final int SAMPLE_TOP_K = 40;
    static final long SAMPLE_SEED = 7;

    private GptRuns() {}

    /** {@code out/gpt-chinese.safetensors} -> {@code out/gpt-chinese.tokenizer.json}: the tokenizer always lies beside its model. */
    static Path tokenizerFile(Path model) {
        return sibling(model, ".tokenizer.json");
    }

    /** {@code out/gpt-chinese.safetensors} -> {@code out/gpt-chinese.train.safetensors}: the resumable training checkpoint. */
    static Path trainingFile(Path model) {
        return sibling(model, ".train.safetensors");
    }

    private static Path sibling(Path model, String suffix) {
        String name = model.getFileName().toString();
        String base = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
        return model.resolveSibling(base + suffix);
    }

    /** The corpus, with the command's name on the missing-data message (which names the fetch-data command to run). */
    static TextCorpus corpus(Path data, String name) throws IOException {
        return TextCorpus.load(data, name);
    }

    /** The tokenizer written beside {@code model}, or the one {@code override} names. */
    static Tokenizer tokenizer(Path model, Path override) throws IOException {
        Path f = override != null ? override : tokenizerFile(model);
        if (!java.nio.file.Files.isRegularFile(f)) {
            throw new IOException("tokenizer " + f + " not found (pretrain writes it beside the model; pass --tokenizer-file FILE)");
        }
        return Tokenizer.load(f);
    }

    /**
     * The unigram baseline: the cross-entropy (nats per token) of the validation targets that
     * {@link SequentialTokenBatches} of {@code batches} batches of {@code batch} windows evaluate,
     * under the training stream's token frequencies with add-one smoothing,
     * {@code p(t) = (count(t) + 1) / (N + V)}. A model that only learned which tokens are common scores this.
     */
    static double unigramLoss(int[] train, int[] validation, int vocab, int batch, int context, int batches) {
        long[] counts = new long[vocab];
        for (int t : train) counts[t]++;
        double denom = train.length + (double) vocab;
        long windows = Math.min((long) batch * batches, (validation.length - 1) / context);
        double sum = 0;
        long n = 0;
        for (long k = 0; k < windows; k++) {
            for (int t = 1; t <= context; t++) {
                sum -= Math.log((counts[validation[(int) (k * context + t)]] + 1) / denom);
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** The validation batches: every whole window in order, at most {@code maxBatches} batches. */
    static SequentialTokenBatches validation(Gpt gpt, int[] stream, int batch, int maxBatches) {
        return new SequentialTokenBatches(gpt.backend(), stream, batch, gpt.config().contextLength(), maxBatches);
    }

    /** Mean cross-entropy per target token of {@code gpt} on {@code batches}, in evaluation mode without gradients. */
    static double loss(Gpt gpt, Iterable<Batch> batches) {
        boolean wasTraining = gpt.isTraining();
        gpt.eval();
        double sum = 0;
        long n = 0;
        try (var _ = Kiln.noGrad()) {
            for (Batch b : batches) {
                try (var _ = Kiln.scope(); b) {
                    long count = b.target().numel();
                    sum += gpt.loss(b.get(TokenBatches.TOKENS), b.target()).item() * count;
                    n += count;
                }
            }
        } finally {
            gpt.train(wasTraining);
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** A text sample: {@code tokens} tokens after the end-of-text token, with the fixed sampling settings. */
    static String sample(Gpt gpt, Tokenizer tok, int tokens) {
        GenerationOptions o = GenerationOptions.builder().maxNewTokens(tokens).temperature(SAMPLE_TEMPERATURE).topK(SAMPLE_TOP_K)
                .seed(SAMPLE_SEED).stopToken(tok.endOfText()).build();
        int[] out = gpt.generate(new int[] {tok.endOfText()}, o);
        if (out.length > 0 && out[out.length - 1] == tok.endOfText()) out = java.util.Arrays.copyOf(out, out.length - 1);
        return tok.decode(out);
    }

    /** Prints a generated sample after every evaluation (from the end-of-text token, fixed seed). */
    static StepListener samplePrinter(Gpt gpt, Tokenizer tok, int tokens) {
        return StepListener.atEvaluation((trainer, e) -> {
            if (tokens <= 0) return;
            System.out.println("sample at step " + e.step() + ": " + oneLine(sample(gpt, tok, tokens)));
            System.out.flush();
        });
    }

    /** Text on one line: newlines shown as " / ", as in a poem's quotation. */
    static String oneLine(String text) {
        return text.strip().replace("\r", "").replaceAll("\n+", " / ");
    }

    /** Records every step's loss for the report. */
    static final class Trace implements StepListener {
        final List<double[]> points = new ArrayList<>();
        /** Target tokens and wall time of the steps seen (evaluations excluded). */
        long tokens;
        double stepSeconds;

        @Override
        public void onStep(StepTrainer trainer, StepUpdate u) {
            points.add(new double[] {u.step(), u.loss()});
            tokens += u.tokens();
            stepSeconds += u.stepSeconds();
        }

        /** Training tokens per second of the steps seen. */
        double tokensPerSecond() {
            return stepSeconds > 0 ? tokens / stepSeconds : 0;
        }

        /** (step, loss) averaged over windows of {@code window} steps. */
        List<double[]> smoothed(int window) {
            return LossTrace.smoothed(points, window);
        }
    }

    /** The evaluation rows of a history, as JSON-ready maps. */
    static List<Object> evaluations(List<StepRecord> history) {
        List<Object> out = new ArrayList<>();
        for (StepRecord r : history) {
            if (Double.isNaN(r.valLoss())) continue;
            out.add(Json.obj("step", r.step(), "train_loss", r.trainLoss(), "val_loss", r.valLoss(), "val_perplexity", r.perplexity(),
                    "lr", r.lr(), "seconds", r.seconds()));
        }
        return out;
    }

    /** A parameter count with thousands separators. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A byte count in KB/MB. */
    static String bytes(long n) {
        return n >= 1 << 20 ? String.format(Locale.ROOT, "%.2f MB", n / 1048576.0) : String.format(Locale.ROOT, "%.1f KB", n / 1024.0);
    }

    /** The model's shape in words. */
    static String describe(GptConfig c) {
        return c.layers() + " layers, width " + c.width() + ", " + c.heads() + " heads, context " + c.contextLength() + ", vocabulary "
                + c.vocabSize() + (c.dropout() > 0 ? ", dropout " + c.dropout() : "");
    }

    /** The model's shape as metrics. */
    static Map<String, Object> configJson(GptConfig c) {
        return Json.obj("vocab_size", c.vocabSize(), "context", c.contextLength(), "layers", c.layers(), "heads", c.heads(), "width", c.width(),
                "dropout", (double) c.dropout(), "bias", c.bias());
    }

    /** The tokenizer as metrics. */
    static Map<String, Object> describe(Tokenizer tok, Path file) {
        return Json.obj("type", tok.type(), "vocab_size", tok.vocabSize(), "file", file == null ? null : file.toString());
    }
}
