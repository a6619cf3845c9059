package dev.kiln.nn.gpt;

import dev.kiln.io.JsonText;
import dev.kiln.ops.GeluApproximation;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The shape of a {@link Gpt}: nanoGPT's {@code GPTConfig} ({@code vocab_size}, {@code block_size},
 * {@code n_layer}, {@code n_head}, {@code n_embd}, {@code dropout}, {@code bias}) plus the GELU form.
 * Immutable and validated on construction; built with {@link #builder()}, whose defaults are the
 * {@code ./kiln gpt pretrain} defaults (vocabulary 2048, context 128, 4 layers, 4 heads, width 128,
 * no dropout, biases, exact GELU as nanoGPT's {@code nn.GELU()}). Saved with a checkpoint as
 * {@link #toJson()}, with nanoGPT's key names, so the PyTorch reference model reads it as
 * {@code GPTConfig(**json)} after dropping {@code gelu_approximate}.
 *
 * @param vocabSize     tokens in the vocabulary, at least 1
 * @param contextLength the longest sequence (nanoGPT's {@code block_size}), at least 1
 * @param layers        transformer blocks ({@code n_layer}), at least 1
 * @param heads         attention heads ({@code n_head}), at least 1, dividing {@code width}
 * @param width         the model width ({@code n_embd}), at least 1
 * @param dropout       dropout probability on embeddings, attention weights and residual branches, in [0, 1)
 * @param bias          whether Linear and LayerNorm layers have biases (nanoGPT's default true)
 * @param gelu          the MLP's GELU form ({@link GeluApproximation#NONE}, exact, as nanoGPT)
 */
public record GptConfig(int vocabSize, int contextLength, int layers, int heads, int width, float dropout, boolean bias,
                        GeluApproximation gelu) {
    /** JSON keys, in the order {@link #toJson()} writes them. */
    private static final Set<String> KEYS = Set.of("vocab_size", "block_size", "n_layer", "n_head", "n_embd", "dropout", "bias",
            "gelu_approximate");

    /**
     * Checks every field.
     *
     * @throws IllegalArgumentException naming the field, what it must be and what it was
     */
    public GptConfig {
        atLeastOne("vocabSize", vocabSize);
        atLeastOne("contextLength", contextLength);
        atLeastOne("layers", layers);
        atLeastOne("heads", heads);
        atLeastOne("width", width);
        if (width % heads != 0) {
            throw new IllegalArgumentException("GptConfig: width must be divisible by heads, got width " + width + " and heads " + heads);
        }
        if (!(dropout >= 0f && dropout < 1f)) throw new IllegalArgumentException("GptConfig: dropout must be in [0, 1), got " + dropout);
        if (gelu == null) throw new IllegalArgumentException("GptConfig: gelu must not be null (GeluApproximation.NONE is nanoGPT's)");
    }

    private static void atLeastOne(String field, int value) {
        if (value < 1) throw new IllegalArgumentException("GptConfig: " + field + " must be >= 1, got " + value);
    }

    /** {@return the width of one head, {@code width / heads}} */
    public int headDim() {
        return width / heads;
    }

    /** {@return a builder holding the pretrain defaults (see the class comment)} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder starting from this configuration's values} */
    public Builder toBuilder() {
        return new Builder().vocabSize(vocabSize).contextLength(contextLength).layers(layers).heads(heads).width(width)
                .dropout(dropout).bias(bias).gelu(gelu);
    }

    /**
     * {@return this configuration as one line of JSON with nanoGPT's keys:
     * {@code {"vocab_size": 2048, "block_size": 128, "n_layer": 4, "n_head": 4, "n_embd": 128,
     * "dropout": 0.0, "bias": true, "gelu_approximate": "none"}}}
     */
    public String toJson() {
        return String.format(Locale.ROOT, "{\"vocab_size\": %d, \"block_size\": %d, \"n_layer\": %d, \"n_head\": %d, \"n_embd\": %d, "
                + "\"dropout\": %s, \"bias\": %b, \"gelu_approximate\": %s}", vocabSize, contextLength, layers, heads, width,
                Float.toString(dropout), bias, JsonText.quote(gelu.name().toLowerCase(Locale.ROOT)));
    }

    /**
     * Reads {@link #toJson()}'s form. Every key must be present except {@code gelu_approximate}
     * (default "none", so a plain nanoGPT config reads too); unknown keys are rejected, so that a
     * misspelt key is not silently replaced by a default.
     *
     * @param json a JSON object
     * @return the configuration
     * @throws IllegalArgumentException if the text is not a JSON object of that form or a value is invalid
     */
    public static GptConfig fromJson(String json) {
        if (!(JsonText.parse(json) instanceof Map<?, ?> raw)) throw new IllegalArgumentException("GptConfig: expected a JSON object, got " + json);
        Map<String, Object> m = new LinkedHashMap<>();
        raw.forEach((k, v) -> m.put((String) k, v));
        for (String k : m.keySet()) {
            if (!KEYS.contains(k)) throw new IllegalArgumentException("GptConfig: unknown key '" + k + "' (expected " + KEYS + ")");
        }
        String gelu = m.containsKey("gelu_approximate") ? string(m, "gelu_approximate") : "none";
        GeluApproximation approx = switch (gelu) {
            case "none" -> GeluApproximation.NONE;
            case "tanh" -> GeluApproximation.TANH;
            default -> throw new IllegalArgumentException("GptConfig: gelu_approximate must be \"none\" or \"tanh\", got \"" + gelu + "\"");
        };
        return new GptConfig(integer(m, "vocab_size"), integer(m, "block_size"), integer(m, "n_layer"), integer(m, "n_head"),
                integer(m, "n_embd"), (float) number(m, "dropout"), bool(m, "bias"), approx);
    }

    private static Object required(Map<String, Object> m, String key) {
        if (!m.containsKey(key)) throw new IllegalArgumentException("GptConfig: missing key '" + key + "'");
        return m.get(key);
    }

    private static int integer(Map<String, Object> m, String key) {
        if (!(required(m, key) instanceof Long v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("GptConfig: " + key + " must be an integer, got " + m.get(key));
        }
        return (int) (long) v;
    }

    private static double number(Map<String, Object> m, String key) {
        if (!(required(m, key) instanceof Number v)) throw new IllegalArgumentException("GptConfig: " + key + " must be a number, got " + m.get(key));
        return v.doubleValue();
    }

    private static boolean bool(Map<String, Object> m, String key) {
        if (!(required(m, key) instanceof Boolean v)) throw new IllegalArgumentException("GptConfig: " + key + " must be true or false, got " + m.get(key));
        return v;
    }

    private static String string(Map<String, Object> m, String key) {
        if (!(required(m, key) instanceof String v)) throw new IllegalArgumentException("GptConfig: " + key + " must be a string, got " + m.get(key));
        return v;
    }

    /** Options of a {@link GptConfig}, the pretrain defaults until set; {@link #build()} validates. */
    public static final class Builder {
        private int vocabSize = 2048;
        private int contextLength = 128;
        private int layers = 4;
        private int heads = 4;
        private int width = 128;
        private float dropout;
        private boolean bias = true;
        private GeluApproximation gelu = GeluApproximation.NONE;

        private Builder() {}

        /**
         * Tokens in the vocabulary.
         *
         * @param n at least 1 (default 2048)
         * @return this builder
         */
        public Builder vocabSize(int n) {
            this.vocabSize = n;
            return this;
        }

        /**
         * The longest sequence, nanoGPT's {@code block_size}: rows of the position embedding.
         *
         * @param n at least 1 (default 128)
         * @return this builder
         */
        public Builder contextLength(int n) {
            this.contextLength = n;
            return this;
        }

        /**
         * Transformer blocks.
         *
         * @param n at least 1 (default 4)
         * @return this builder
         */
        public Builder layers(int n) {
            this.layers = n;
            return this;
        }

        /**
         * Attention heads.
         *
         * @param n at least 1, dividing the width (default 4)
         * @return this builder
         */
        public Builder heads(int n) {
            this.heads = n;
            return this;
        }

        /**
         * The model width ({@code n_embd}).
         *
         * @param n at least 1 (default 128)
         * @return this builder
         */
        public Builder width(int n) {
            this.width = n;
            return this;
        }

        /**
         * Dropout in training.
         *
         * @param p in [0, 1) (default 0)
         * @return this builder
         */
        public Builder dropout(float p) {
            this.dropout = p;
            return this;
        }

        /**
         * Biases in the Linear and LayerNorm layers.
         *
         * @param on default true
         * @return this builder
         */
        public Builder bias(boolean on) {
            this.bias = on;
            return this;
        }

        /**
         * The MLP's GELU form.
         *
         * @param approximate default {@link GeluApproximation#NONE} (exact, as nanoGPT)
         * @return this builder
         */
        public Builder gelu(GeluApproximation approximate) {
            this.gelu = approximate;
            return this;
        }

        /**
         * {@return the configuration}
         *
         * @throws IllegalArgumentException as the {@link GptConfig} constructor
         */
        public GptConfig build() {
            return new GptConfig(vocabSize, contextLength, layers, heads, width, dropout, bias, gelu);
        }
    }
}
