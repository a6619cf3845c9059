package dev.kiln.nn.gpt;

/**
 * How {@link Gpt#generate} picks tokens; immutable, built with {@link #builder()}.
 *
 * <p>Each step takes the logits of the last position and, with temperature 0, the highest-scoring
 * token (the lowest id among equal scores). Otherwise the logits are divided by the temperature;
 * top-k keeps the tokens whose logit is at least the k-th largest (ties with the k-th all kept, as
 * nanoGPT's {@code logits[logits < v[-1]] = -inf}); top-p then keeps the smallest set of the most
 * probable tokens whose probabilities (softmax of the kept logits) sum to at least p: tokens sorted by
 * decreasing probability (equal ones by increasing id) are taken until the running sum reaches p, the
 * token that reaches it included (the rule of Hugging Face's top-p filter, which keeps at least one
 * token). The next token is then drawn from the softmax of what is left with one uniform number of the
 * generation's own {@link dev.kiln.tensor.Generator}, seeded with {@link #seed()}, by the inverse of
 * the cumulative distribution over token ids in increasing order, so a fixed seed gives a fixed text.
 *
 * @param maxNewTokens tokens to generate at most, at least 0
 * @param temperature  0 for greedy decoding, else the divisor of the logits, finite and above 0
 * @param topK         keep the k most likely tokens; 0 for no top-k filter
 * @param topP         keep the smallest set of tokens with probability at least p, in (0, 1]; 1 for no top-p filter
 * @param seed         seed of the sampling stream
 * @param stopToken    stop after generating this token (it is returned); -1 for none
 * @param useCache     whether to keep keys and values in a {@link KvCache} between steps
 */
public record GenerationOptions(int maxNewTokens, float temperature, int topK, float topP, long seed, int stopToken, boolean useCache) {
    /**
     * Checks every field.
     *
     * @throws IllegalArgumentException naming the field, what it must be and what it was
     */
    public GenerationOptions {
        if (maxNewTokens < 0) throw new IllegalArgumentException("GenerationOptions: maxNewTokens must be >= 0, got " + maxNewTokens);
        if (!(temperature >= 0f) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("GenerationOptions: temperature must be finite and >= 0, got " + temperature);
        }
        if (topK < 0) throw new IllegalArgumentException("GenerationOptions: topK must be >= 0 (0 = off), got " + topK);
        if (!(topP > 0f && topP <= 1f)) throw new IllegalArgumentException("GenerationOptions: topP must be in (0, 1] (1 = off), got " + topP);
        if (stopToken < -1) throw new IllegalArgumentException("GenerationOptions: stopToken must be a token id or -1 (none), got " + stopToken);
    }

    /**
     * {@return a builder with the defaults: 64 new tokens, temperature 1, no top-k or top-p filter,
     * seed 1337, no stop token, with the cache}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Options of a generation; {@link #build()} validates. */
    public static final class Builder {
        private int maxNewTokens = 64;
        private float temperature = 1f;
        private int topK;
        private float topP = 1f;
        private long seed = 1337;
        private int stopToken = -1;
        private boolean useCache = true;

        private Builder() {}

        /**
         * Tokens to generate at most.
         *
         * @param n at least 0 (default 64)
         * @return this builder
         */
        public Builder maxNewTokens(int n) {
            this.maxNewTokens = n;
            return this;
        }

        /**
         * Divisor of the logits; 0 picks the most likely token.
         *
         * @param t finite, at least 0 (default 1)
         * @return this builder
         */
        public Builder temperature(float t) {
            this.temperature = t;
            return this;
        }

        /**
         * Keep only the k most likely tokens (and any tied with the k-th).
         *
         * @param k at least 0; 0 (the default) for no filter
         * @return this builder
         */
        public Builder topK(int k) {
            this.topK = k;
            return this;
        }

        /**
         * Nucleus sampling: keep the smallest set of most likely tokens whose probability reaches p.
         *
         * @param p in (0, 1]; 1 (the default) for no filter
         * @return this builder
         */
        public Builder topP(float p) {
            this.topP = p;
            return this;
        }

        /**
         * Seed of the sampling stream.
         *
         * @param seed any value (default 1337)
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Stop once this token has been generated.
         *
         * @param token a token id, or -1 (the default) for none
         * @return this builder
         */
        public Builder stopToken(int token) {
            this.stopToken = token;
            return this;
        }

        /**
         * Keep keys and values between steps.
         *
         * @param on default true
         * @return this builder
         */
        public Builder useCache(boolean on) {
            this.useCache = on;
            return this;
        }

        /**
         * {@return the options}
         *
         * @throws IllegalArgumentException as the {@link GenerationOptions} constructor
         */
        public GenerationOptions build() {
            return new GenerationOptions(maxNewTokens, temperature, topK, topP, seed, stopToken, useCache);
        }
    }
}
