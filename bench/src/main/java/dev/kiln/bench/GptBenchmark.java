package dev.kiln.bench;

import dev.kiln.Kiln;
import dev.kiln.nn.gpt.GenerationOptions;
import dev.kiln.nn.gpt.Gpt;
import dev.kiln.nn.gpt.GptConfig;
import dev.kiln.optim.AdamW;
import dev.kiln.optim.GradientClipping;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * The GPT workloads (issue 12). Training: tokens per second of one step of {@link Gpt} at the pretrain
 * defaults (4 layers, width 128, 4 heads, context 128, vocabulary 2048, no dropout) on a fixed batch of
 * random tokens: forward, cross-entropy, backward, gradient clipping to norm 1, AdamW (lr 6e-4, betas
 * 0.9 / 0.95, weight decay 0.1 on every parameter). {@code bench/peers/torch_gpt.py bench} times the
 * identical model and step in PyTorch. Generation: tokens per second of {@link Gpt#generate} on a
 * randomly initialised model, with and without the KV cache, from a prompt of {@code prompt} tokens to
 * the context length.
 */
public final class GptBenchmark {
    private GptBenchmark() {}

    /** The model shape from {@code --layers --width --heads --context --vocab} (pretrain defaults). */
    static GptConfig config(Map<String, String> o) {
        return GptConfig.builder().layers(BenchMain.intOpt(o, "layers", 4)).width(BenchMain.intOpt(o, "width", 128))
                .heads(BenchMain.intOpt(o, "heads", 4)).contextLength(BenchMain.intOpt(o, "context", 128))
                .vocabSize(BenchMain.intOpt(o, "vocab", 2048)).build();
    }

    /** A label for the table, e.g. "L4 C128 T128 B32". */
    static String label(GptConfig c, int batch) {
        return "L" + c.layers() + " C" + c.width() + " T" + c.contextLength() + " B" + batch;
    }

    /** Runs {@code warmup} untimed steps, then {@code repeats} timed blocks of {@code steps} training steps. */
    public static Sample train(Backend backend, GptConfig c, int batch, int warmup, int steps, int repeats) {
        Generator g = new Generator(7);
        int t = c.contextLength();
        long[] data = new long[batch * (t + 1)];
        for (int i = 0; i < data.length; i++) data[i] = g.nextInt(c.vocabSize());
        long[] x = new long[batch * t], y = new long[batch * t];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(data, b * (t + 1), x, b * t, t);
            System.arraycopy(data, b * (t + 1) + 1, y, b * t, t);
        }
        double[] tps = new double[repeats];
        float lastLoss = Float.NaN;
        try (Gpt gpt = new Gpt(c, new Generator(42), backend);
             Tensor input = Tensor.fromLongs(backend, x, batch, t).unscope();
             Tensor target = Tensor.fromLongs(backend, y, batch, t).unscope();
             AdamW opt = AdamW.builder(gpt.parameters()).lr(6e-4).betas(0.9, 0.95).weightDecay(0.1).build()) {
            gpt.train();
            List<Tensor> params = gpt.parameters();
            for (int r = -1; r < repeats; r++) {
                int n = r < 0 ? warmup : steps;
                backend.synchronize();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    try (var s = Kiln.scope()) {
                        Tensor loss = gpt.loss(input, target);
                        opt.zeroGrad();
                        loss.backward();
                        GradientClipping.clipGradNorm(params, 1.0);
                        opt.step();
                        if (i == n - 1) lastLoss = loss.item();
                    }
                }
                backend.synchronize();
                if (r >= 0) tps[r] = (double) batch * t * steps / ((System.nanoTime() - t0) / 1e9);
            }
        }
        return new Sample("gpt", "kiln", backend.name(), label(c, batch), "tokens/s", tps,
                backend.description() + ", " + steps + " steps per repeat, last loss " + lastLoss);
    }

    /** Generation tokens/s with ({@code cache}) or without the KV cache: {@code repeats} generations of context - prompt tokens. */
    public static Sample generate(Backend backend, GptConfig c, int prompt, boolean cache, int warmup, int repeats) {
        int[] p = new int[prompt];
        Generator g = new Generator(3);
        for (int i = 0; i < prompt; i++) p[i] = g.nextInt(c.vocabSize());
        int fresh = c.contextLength() - prompt;
        GenerationOptions o = GenerationOptions.builder().maxNewTokens(fresh).topK(50).seed(5).useCache(cache).build();
        double[] tps = new double[repeats];
        try (Gpt gpt = new Gpt(c, new Generator(42), backend)) {
            gpt.eval();
            for (int r = -warmup; r < repeats; r++) {
                long t0 = System.nanoTime();
                int n = gpt.generate(p, o).length;
                if (r >= 0) tps[r] = n / ((System.nanoTime() - t0) / 1e9);
            }
        }
        return new Sample("gpt-gen", "kiln", backend.name(), "L" + c.layers() + " C" + c.width() + " prompt " + prompt + " +" + fresh
                + (cache ? " cache" : " no cache"), "tokens/s", tps, backend.description() + ", batch 1, top-k 50");
    }
}
