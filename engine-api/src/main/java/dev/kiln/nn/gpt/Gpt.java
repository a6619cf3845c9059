package dev.kiln.nn.gpt;

import dev.kiln.Kiln;
import dev.kiln.internal.TensorAccess;
import dev.kiln.io.SafeTensors;
import dev.kiln.io.TensorFile;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * A GPT decoder with nanoGPT's structure and parameter names, so state dicts move both ways with
 * the PyTorch reference model ({@code bench/peers/torch_gpt.py}): {@code transformer.wte.weight}
 * {@code [vocab, C]}, {@code transformer.wpe.weight} {@code [context, C]}, per block i
 * {@code transformer.h.i.ln_1.*}, {@code transformer.h.i.attn.c_attn.*} ({@code [3C, C]}, query, key
 * and value packed), {@code transformer.h.i.attn.c_proj.*}, {@code transformer.h.i.ln_2.*},
 * {@code transformer.h.i.mlp.c_fc.*} ({@code [4C, C]}), {@code transformer.h.i.mlp.c_proj.*}, then
 * {@code transformer.ln_f.*}. The submodules are real {@link Linear}, {@link dev.kiln.nn.LayerNorm}
 * and {@link Embedding} layers reachable by path ({@code get("transformer.h.0.attn.c_attn")}), called
 * by name on every forward, so {@link #replace} swaps them (LoRA adapters).
 *
 * <p>Forward: token plus position embeddings, dropout, pre-norm blocks ({@code x + attn(ln_1(x))},
 * {@code x + mlp(ln_2(x))}; causal self-attention through the fused
 * {@link Functional#scaledDotProductAttention} with dropout on its weights in training; residual
 * dropout; MLP Linear, GELU, Linear), the final LayerNorm, and logits {@code ln_f(x) wte^T}.
 *
 * <p>The head is tied to the token embedding (until {@link #untieHead()} gives it its own weight,
 * for head-only fine-tuning): there is no {@code lm_head} module, the logits use
 * {@code transformer.wte.weight} ({@link #lmHeadWeight()}), which is one parameter whose gradient
 * sums both uses. {@link #stateDict()} and {@link #save} hold it once; loading accepts a file with or
 * without {@code lm_head.weight} (PyTorch's state dict of a tied model lists both names; the head's
 * copy is ignored) and ignores nanoGPT's non-parameter {@code attn.bias} mask buffers.
 *
 * <p>Initialised as nanoGPT: Linear and Embedding weights from N(0, 0.02), the residual projections
 * ({@code c_proj.weight}) from N(0, 0.02 / sqrt(2 layers)), biases 0, LayerNorms 1 and 0; the
 * values are drawn from the generator in {@link #namedParameters()} order. The same generator feeds
 * the dropout masks in training.
 *
 * {@snippet :
 * GptConfig config = GptConfig.builder().vocabSize(256).contextLength(64).layers(2).heads(2).width(32).build();
 * try (Gpt gpt = new Gpt(config, new Generator(7), Kiln.backend())) {
 *     Tensor logits = gpt.forward(tokens);                    // INT64 [B, T] -> [B, T, 256]
 *     int[] text = gpt.generate(new int[] {1, 2, 3}, GenerationOptions.builder().maxNewTokens(20).topK(40).build());
 * }
 * }
 */
public class Gpt extends Module {
    /** The safetensors metadata key holding {@link GptConfig#toJson()}. */
    public static final String CONFIG_METADATA = "kiln.gpt.config";
    /** PyTorch's name of the tied head, accepted and ignored when loading. */
    public static final String LM_HEAD = "lm_head.weight";

    private final GptConfig config;

    /**
     * A freshly initialised model on the default backend, seeded from {@link Kiln#generator()}.
     *
     * @param config the model's shape
     */
    public Gpt(GptConfig config) {
        this(config, Kiln.generator(), Kiln.backend());
    }

    /**
     * A freshly initialised model.
     *
     * @param config    the model's shape
     * @param generator source of the initial weights and of the dropout masks
     * @param backend   where the parameters live
     */
    public Gpt(GptConfig config, Generator generator, Backend backend) {
        this.config = java.util.Objects.requireNonNull(config, "config");
        java.util.Objects.requireNonNull(generator, "generator");
        registerModule("transformer", new GptTransformer(config, generator, java.util.Objects.requireNonNull(backend, "backend")));
        initWeights(generator);
    }

    /** nanoGPT's {@code _init_weights} plus the scaled residual projections, in parameter order. */
    private void initWeights(Generator g) {
        double std = 0.02, projStd = 0.02 / Math.sqrt(2.0 * config.layers());
        try (var _ = Kiln.noGrad()) {
            for (Map.Entry<String, Module> e : namedModules().entrySet()) {
                if (e.getValue() instanceof Linear l) {
                    fillNormal(l.weight(), g, e.getKey().endsWith("c_proj") ? projStd : std);
                    if (l.bias() != null) l.bias().backend().fill(TensorAccess.storage(l.bias()), 0f);
                } else if (e.getValue() instanceof Embedding emb) {
                    fillNormal(emb.weight(), g, std);
                }
            }
        }
    }

    private static void fillNormal(Tensor p, Generator g, double std) {
        float[] v = new float[Math.toIntExact(p.numel())];
        g.fillNormal(v, 0f, (float) std);
        try (Tensor t = Tensor.fromArray(p.backend(), v, p.shape())) {
            p.backend().copy(TensorAccess.storage(t), TensorAccess.storage(p));
        }
    }

    /** {@return the model's configuration} */
    public GptConfig config() {
        return config;
    }

    /**
     * {@return the head's weight {@code [vocab, C]}: the token embedding {@code transformer.wte.weight}
     * (tied), or {@code lm_head.weight} after {@link #untieHead()}}
     */
    public Tensor lmHeadWeight() {
        Module head = namedChildren().get("lm_head");
        return head != null ? ((Linear) head).weight() : ((Embedding) get("transformer.wte")).weight();
    }

    /** {@return an empty cache for this model's layers} */
    public KvCache newCache() {
        return new KvCache(config.layers());
    }

    /**
     * Logits of every position.
     *
     * @param idx INT64 (or INT32) token ids {@code [B, T]}, {@code T <= contextLength}
     * @return FLOAT32 logits {@code [B, T, vocab]}
     * @throws IllegalArgumentException if {@code idx} is not a 2-D integer tensor or T exceeds the context length
     */
    @Override
    public Tensor forward(Tensor idx) {
        return forward(idx, null);
    }

    /**
     * Logits of the positions of {@code idx}, which follow the cache's: position p of the sequence
     * is {@code cache.length() + t}. The cache is extended by them. Without a cache, as {@link #forward(Tensor)}.
     *
     * @param idx   INT64 (or INT32) token ids {@code [B, T]}
     * @param cache the keys and values of the earlier positions (extended here), or null
     * @return FLOAT32 logits {@code [B, T, vocab]}
     * @throws IllegalArgumentException if {@code idx} is not a 2-D integer tensor, or the cached and new
     *                                  positions together exceed the context length
     * @throws IllegalStateException    with a cache while gradients are enabled
     */
    public Tensor forward(Tensor idx, KvCache cache) {
        return head(hidden(idx, cache, false));
    }

    /**
     * The last position's logits, what generation needs: as {@link #forward(Tensor, KvCache)} but the
     * final norm and the head (the largest product) run on one row per sequence.
     *
     * @param idx   INT64 (or INT32) token ids {@code [B, T]}
     * @param cache the keys and values of the earlier positions (extended here), or null
     * @return FLOAT32 logits {@code [B, vocab]}
     * @throws IllegalArgumentException as {@link #forward(Tensor, KvCache)}
     */
    public Tensor lastLogits(Tensor idx, KvCache cache) {
        Tensor logits = head(hidden(idx, cache, true));
        return logits.reshape(logits.size(0), config.vocabSize());
    }

    /**
     * nanoGPT's training loss: mean cross-entropy of {@link #forward(Tensor)}'s logits against the next
     * tokens, positions whose target is -1 left out.
     *
     * @param idx     INT64 token ids {@code [B, T]}
     * @param targets INT64 next-token ids {@code [B, T]}, or -1 to skip a position
     * @return the scalar loss
     * @throws IllegalArgumentException if the shapes differ or as {@link #forward(Tensor)}
     */
    public Tensor loss(Tensor idx, Tensor targets) {
        if (!Arrays.equals(idx.shape(), targets.shape())) {
            throw new IllegalArgumentException("Gpt.loss: targets must have the shape of idx " + Shape.str(idx.shape()) + ", got "
                    + Shape.str(targets.shape()));
        }
        Tensor logits = forward(idx);
        int n = idx.size(0) * idx.size(1);
        return Functional.crossEntropy(logits.reshape(n, config.vocabSize()), targets.reshape(n), Reduction.MEAN, 0f, -1);
    }

    private Tensor hidden(Tensor idx, KvCache cache, boolean lastOnly) {
        if (idx == null) throw new IllegalArgumentException("Gpt: idx must not be null");
        if (idx.rank() != 2 || (idx.dtype() != DType.INT64 && idx.dtype() != DType.INT32)) {
            throw new IllegalArgumentException("Gpt: idx must be INT64 token ids [B, T], got " + idx.dtype() + " " + Shape.str(idx.shape()));
        }
        int t = idx.size(1), past = cache == null ? 0 : cache.length();
        if (t < 1) throw new IllegalArgumentException("Gpt: idx must hold at least one position, got " + Shape.str(idx.shape()));
        if (cache != null && cache.layers() != config.layers()) {
            throw new IllegalArgumentException("Gpt: cache has " + cache.layers() + " layers, the model " + config.layers());
        }
        if (past + t > config.contextLength()) {
            throw new IllegalArgumentException("Gpt: sequence length " + (past + t) + (past > 0 ? " (cached " + past + " + new " + t + ")" : "")
                    + " exceeds contextLength " + config.contextLength());
        }
        GptTransformer tr = (GptTransformer) namedChildren().get("transformer");
        return call(tr, idx, (m, in) -> m.hidden(in, cache, lastOnly));
    }

    private Tensor head(Tensor x) {
        return Functional.linear(x, lmHeadWeight(), null);
    }

    // ---------------------------------------------------------------- generation

    /**
     * Continues {@code prompt} by up to {@code maxNewTokens} tokens, in evaluation mode without
     * gradients (the mode is restored afterwards). Each step takes the last position's logits to
     * the host and picks a token as {@link GenerationOptions} describes.
     *
     * <p>With the cache, the prompt runs once (prefill) and each later step runs one position. A
     * sequence longer than the context is cropped to its last {@code contextLength} tokens, as
     * nanoGPT's {@code generate}: without the cache every step runs the cropped window; with it,
     * once the sequence outgrows the context every step re-runs the cropped window from an emptied
     * cache (prefill), since the learned positions of the kept tokens shift by one at each step and
     * cached keys of old positions no longer apply. Both ways compute the same logits, so a fixed
     * seed gives the same tokens with and without the cache (up to float rounding of the two
     * computation orders, which can only matter on a near tie).
     *
     * @param prompt  token ids, at least one, each in {@code [0, vocab)}
     * @param options how to pick tokens
     * @return the new tokens, at most {@code maxNewTokens}, the stop token included when it ended the generation
     * @throws IllegalArgumentException if the prompt is empty or holds an id outside the vocabulary
     */
    public int[] generate(int[] prompt, GenerationOptions options) {
        return generate(prompt, options, null);
    }

    /**
     * As {@link #generate(int[], GenerationOptions)}, handing each new token to {@code onToken} as soon
     * as it is picked (to print text as it comes).
     *
     * @param prompt  token ids, at least one, each in {@code [0, vocab)}
     * @param options how to pick tokens
     * @param onToken called with each new token, or null
     * @return the new tokens
     * @throws IllegalArgumentException as {@link #generate(int[], GenerationOptions)}
     */
    public int[] generate(int[] prompt, GenerationOptions options, IntConsumer onToken) {
        java.util.Objects.requireNonNull(options, "options");
        if (prompt == null || prompt.length == 0) throw new IllegalArgumentException("Gpt.generate: prompt must hold at least one token");
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("Gpt.generate: prompt[" + i + "] = " + prompt[i] + " is outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
        List<Integer> seq = new ArrayList<>();
        for (int p : prompt) seq.add(p);
        int[] out = new int[options.maxNewTokens()];
        int produced = 0;
        Generator g = new Generator(options.seed());
        int ctx = config.contextLength();
        boolean wasTraining = isTraining();
        eval();
        try (var _ = Kiln.noGrad(); KvCache cache = options.useCache() ? newCache() : null) {
            while (produced < out.length) {
                float[] row;
                try (var _ = Kiln.scope()) {
                    Tensor input;
                    if (cache != null && cache.length() > 0 && cache.length() == seq.size() - 1 && seq.size() <= ctx) {
                        input = tokens(seq, seq.size() - 1, 1); // the newest token after the cached ones
                    } else {
                        if (cache != null) cache.clear();
                        int start = Math.max(0, seq.size() - ctx);
                        input = tokens(seq, start, seq.size() - start); // prefill, or the cropped window
                    }
                    row = lastLogits(input, cache).toFloatArray();
                }
                int next = Sampler.next(row, options, g);
                out[produced++] = next;
                seq.add(next);
                if (onToken != null) onToken.accept(next);
                if (next == options.stopToken()) break;
            }
        } finally {
            train(wasTraining);
        }
        return Arrays.copyOf(out, produced);
    }

    private Tensor tokens(List<Integer> seq, int start, int len) {
        long[] ids = new long[len];
        for (int i = 0; i < len; i++) ids[i] = seq.get(start + i);
        return Tensor.fromLongs(backend(), ids, 1, len);
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Writes the weights ({@link #stateDict()}: the tied head once, as {@code transformer.wte.weight};
     * an untied head as {@code lm_head.weight} too, marked by metadata {@value #HEAD_METADATA}) and the
     * configuration (metadata {@value #CONFIG_METADATA}) to one safetensors file, atomically.
     *
     * @param file where to write
     * @throws IOException if writing fails
     */
    public void save(Path file) throws IOException {
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        meta.put(CONFIG_METADATA, config.toJson());
        if (isHeadUntied()) meta.put(HEAD_METADATA, UNTIED);
        SafeTensors.write(file, stateDict(), meta);
    }

    /**
     * A model built from the configuration saved in {@code file}'s metadata, holding its weights.
     *
     * @param file    a file written by {@link #save}
     * @param backend where the model lives
     * @return the model (generator {@link Kiln#generator()} for dropout), its head untied when the file's is
     * @throws IOException              if the file cannot be read
     * @throws IllegalArgumentException if it has no {@value #CONFIG_METADATA} metadata or its tensors do not fit the configuration
     */
    public static Gpt load(Path file, Backend backend) throws IOException {
        try (TensorFile f = SafeTensors.read(file, backend)) {
            String json = f.metadata().get(CONFIG_METADATA);
            if (json == null) {
                throw new IllegalArgumentException("Gpt.load: " + file + " has no '" + CONFIG_METADATA
                        + "' metadata; use load(file, config, backend)");
            }
            return fromTensors(f, GptConfig.fromJson(json), UNTIED.equals(f.metadata().get(HEAD_METADATA)), backend, file.toString());
        }
    }

    /**
     * A model of {@code config} holding the weights of {@code file}, e.g. a PyTorch state dict saved
     * without Kiln's metadata.
     *
     * @param file    a safetensors file with nanoGPT's names
     * @param config  the model's shape
     * @param backend where the model lives
     * @return the model
     * @throws IOException              if the file cannot be read
     * @throws IllegalArgumentException if the tensors do not fit the configuration
     */
    public static Gpt load(Path file, GptConfig config, Backend backend) throws IOException {
        try (TensorFile f = SafeTensors.read(file, backend)) {
            return fromTensors(f, config, false, backend, file.toString());
        }
    }

    private static Gpt fromTensors(TensorFile f, GptConfig config, boolean untied, Backend backend, String where) {
        Gpt gpt = new Gpt(config, Kiln.generator(), backend);
        try {
            if (untied) gpt.untieHead();
            gpt.assign(f.tensors(), where);
            return gpt;
        } catch (RuntimeException e) {
            gpt.close();
            throw e;
        }
    }

    /**
     * Copies the weights of {@code file} into this model: every parameter must be there with its shape;
     * {@code lm_head.weight} and nanoGPT's {@code attn.bias} / {@code attn.masked_bias} buffers may be
     * there too and are ignored; anything else is an error. Nothing is copied unless everything fits.
     *
     * @param file a safetensors file with nanoGPT's names
     * @throws IOException              if the file cannot be read
     * @throws IllegalArgumentException listing the missing, unexpected and mismatched names
     */
    public void loadWeights(Path file) throws IOException {
        try (TensorFile f = SafeTensors.read(file, backend())) {
            assign(f.tensors(), file.toString());
        }
    }

    private void assign(Map<String, Tensor> source, String where) {
        Map<String, Tensor> target = stateDict();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : target.entrySet()) {
            Tensor s = source.get(e.getKey());
            if (s == null) problems.add("missing " + e.getKey());
            else if (!Arrays.equals(s.shape(), e.getValue().shape()) || s.dtype() != e.getValue().dtype()) {
                problems.add(e.getKey() + ": file " + s.dtype() + " " + Shape.str(s.shape()) + ", model " + e.getValue().dtype() + " "
                        + Shape.str(e.getValue().shape()));
            }
        }
        for (String k : source.keySet()) {
            if (!target.containsKey(k) && !ignorable(k)) problems.add("unexpected " + k);
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException("Gpt: " + where + " does not fit the model: " + problems);
        try (var _ = Kiln.noGrad()) {
            for (Map.Entry<String, Tensor> e : target.entrySet()) {
                Tensor s = source.get(e.getKey());
                e.getValue().backend().copy(TensorAccess.storage(s), TensorAccess.storage(e.getValue())); // both on this model's backend
            }
        }
    }

    /** The tied head's PyTorch name and nanoGPT's causal-mask buffers hold nothing this model needs. */
    private static boolean ignorable(String key) {
        return key.equals(LM_HEAD) || (key.startsWith("transformer.h.") && (key.endsWith(".attn.bias") || key.endsWith(".attn.masked_bias")));
    }

    @Override
    protected String extraRepr() {
        GptConfig c = config;
        return "vocab=" + c.vocabSize() + ", context=" + c.contextLength() + ", layers=" + c.layers() + ", heads=" + c.heads()
                + ", width=" + c.width() + (c.dropout() > 0 ? ", dropout=" + c.dropout() : "") + (c.bias() ? "" : ", bias=false");
    }

    // ---- untied head (issue 12, samples) ----

    /** The safetensors metadata key that marks a model saved with an untied head ({@link #untieHead()}). */
    public static final String HEAD_METADATA = "kiln.gpt.head";
    /** The value of {@value #HEAD_METADATA} for an untied head. */
    public static final String UNTIED = "untied";

    /**
     * Gives the model a head of its own: a bias-free {@link Linear} {@code lm_head} ({@code [vocab, C]},
     * nanoGPT's name) initialised with a copy of the token embedding, so the logits are unchanged until
     * it trains. Head-only fine-tuning needs this: with the tied head, training "the head" trains the
     * input embedding too. The untied model saves {@code lm_head.weight} and {@link #load} restores it;
     * {@link #loadWeights} then requires that tensor. Calling it again does nothing.
     *
     * @return this model
     */
    public Gpt untieHead() {
        if (isHeadUntied()) return this;
        Tensor wte = lmHeadWeight();
        Linear head = new Linear(config.width(), config.vocabSize(), false, new Generator(0), wte.backend());
        try (var _ = Kiln.noGrad()) {
            wte.backend().copy(TensorAccess.storage(wte), TensorAccess.storage(head.weight()));
        }
        head.requiresGrad(wte.requiresGrad());
        registerModule("lm_head", head);
        return this;
    }

    /** {@return whether the head has its own weight ({@link #untieHead()}) rather than the token embedding's} */
    public boolean isHeadUntied() {
        return namedChildren().containsKey("lm_head");
    }
}
