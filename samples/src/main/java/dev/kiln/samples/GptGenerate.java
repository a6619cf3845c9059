package dev.kiln.samples;

import dev.kiln.nn.gpt.GenerationOptions;
import dev.kiln.nn.gpt.Gpt;
import dev.kiln.nn.lora.AdapterInfo;
import dev.kiln.nn.lora.Lora;
import dev.kiln.spi.Backend;
import dev.kiln.text.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code ./kiln gpt generate}: loads a model written by {@code gpt pretrain} or {@code gpt finetune}
 * (optionally with a LoRA adapter file on top, checked against its base), and continues a prompt.
 * The prompt follows an end-of-text token, as every document does in training; generation stops at
 * the next one. Prints the text and the speed; {@code --compare-cache} runs with and without the
 * KV cache and says whether both chose the same tokens.
 */
final class GptGenerate {
    private GptGenerate() {}

    static Args options() {
        return new Args("gpt generate", "Continue a prompt with a GPT from gpt pretrain or gpt finetune.")
                .option("checkpoint", null, "the model file (required); its tokenizer is read from beside it (.tokenizer.json)")
                .option("adapter", null, "a LoRA adapter file from gpt finetune --method lora, trained on this checkpoint")
                .flag("merge", "fold the adapter into the weights before generating (same text, faster)")
                .option("tokenizer-file", null, "the tokenizer JSON, when it is not beside the checkpoint")
                .option("prompt", "", "the text to continue (empty: start a new document)")
                .option("max-tokens", "200", "most tokens to generate (stops earlier at the end-of-text token)")
                .option("temperature", "0.8", "sampling temperature (0: greedy)")
                .option("top-k", "40", "sample among the k most likely tokens (0: all)")
                .option("top-p", "1.0", "nucleus sampling: the smallest set of tokens whose probability reaches p (1: all)")
                .option("seed", "42", "seed of the sampling")
                .flag("no-cache", "recompute every position at each step instead of using the KV cache")
                .flag("compare-cache", "generate with and without the KV cache, report both speeds and whether the tokens agree")
                .backendOption();
    }

    static void run(Args a) throws Exception {
        Path ckpt = a.path("checkpoint");
        if (ckpt == null) throw a.usage("--checkpoint is required (a model file from ./kiln gpt pretrain or finetune)");
        if (!Files.isRegularFile(ckpt)) throw a.usage("--checkpoint " + ckpt + ": no such file");
        Path adapter = a.path("adapter");
        if (adapter != null && !Files.isRegularFile(adapter)) throw a.usage("--adapter " + adapter + ": no such file");
        if (a.has("merge") && adapter == null) throw a.usage("--merge needs --adapter");
        int maxTokens = a.integer("max-tokens", 0, 1 << 20), topK = a.integer("top-k", 0);
        double temperature = SeqMnistCommand.nonNegative(a, "temperature"), topP = a.positive("top-p");
        if (topP > 1) throw a.usage("--top-p must be in (0, 1], got " + a.string("top-p"));
        long seed = a.longValue("seed");
        Tokenizer tok = GptRuns.tokenizer(ckpt, a.path("tokenizer-file"));
        Backend backend = Setup.backend(a);
        try (Gpt gpt = load(ckpt, adapter, a.has("merge"), backend)) {
            if (gpt.config().vocabSize() != tok.vocabSize()) {
                throw new IllegalArgumentException("the tokenizer has " + tok.vocabSize() + " tokens, the model's vocabulary " + gpt.config().vocabSize()
                        + " (pass the tokenizer of this model with --tokenizer-file)");
            }
            int[] prompt = prompt(tok, a.string("prompt"));
            GenerationOptions.Builder o = GenerationOptions.builder().maxNewTokens(maxTokens).temperature((float) temperature).topK(topK)
                    .topP((float) topP).seed(seed).stopToken(tok.endOfText());
            boolean compare = a.has("compare-cache");
            Result main = generate(gpt, prompt, o.useCache(!a.has("no-cache") || compare).build());
            System.out.println(a.string("prompt") + text(tok, main.tokens));
            System.out.printf(Locale.ROOT, "%d tokens in %.2f s: %.1f tokens/s (%s, prompt of %d tokens)%n", main.tokens.length, main.seconds,
                    main.perSecond(), !a.has("no-cache") || compare ? "KV cache" : "no cache", prompt.length);
            if (compare) {
                Result plain = generate(gpt, prompt, o.useCache(false).build());
                System.out.printf(Locale.ROOT, "without the KV cache: %d tokens in %.2f s: %.1f tokens/s (%.1fx slower); same tokens: %s%n",
                        plain.tokens.length, plain.seconds, plain.perSecond(), main.perSecond() / Math.max(1e-9, plain.perSecond()),
                        Arrays.equals(main.tokens, plain.tokens) ? "yes" : "no (a near tie rounded differently)");
            }
        }
    }

    /** The model, with the adapter loaded (and merged, if asked). */
    static Gpt load(Path ckpt, Path adapter, boolean merge, Backend backend) throws java.io.IOException {
        Gpt gpt = Gpt.load(ckpt, backend);
        try {
            if (adapter != null) {
                AdapterInfo info = Lora.readInfo(adapter);
                Lora.apply(gpt, info.config());
                Lora.loadAdapters(gpt, adapter);
                System.out.printf("adapter: %s (rank %d, alpha %s on %d layers, trained on %s)%n", adapter, info.rank(), info.alpha(),
                        info.paths().size(), info.base());
                if (merge) Lora.merge(gpt);
            }
            return gpt;
        } catch (java.io.IOException | RuntimeException e) {
            gpt.close();
            throw e;
        }
    }

    /** The end-of-text token, then the prompt's tokens. */
    static int[] prompt(Tokenizer tok, String text) {
        int[] body = tok.encode(text);
        int[] out = new int[body.length + 1];
        out[0] = tok.endOfText();
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /** The generated text, without the end-of-text token that stopped it. */
    static String text(Tokenizer tok, int[] tokens) {
        int n = tokens.length > 0 && tokens[tokens.length - 1] == tok.endOfText() ? tokens.length - 1 : tokens.length;
        return tok.decode(Arrays.copyOf(tokens, n));
    }

    private record Result(int[] tokens, double seconds) {
        double perSecond() {
            return seconds > 0 ? tokens.length / seconds : 0;
        }
    }

    private static Result generate(Gpt gpt, int[] prompt, GenerationOptions o) {
        long t0 = System.nanoTime();
        int[] out = gpt.generate(prompt, o);
        return new Result(out, (System.nanoTime() - t0) / 1e9);
    }
}
