package dev.kiln.nn.lora;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * The settings of LoRA adapters (PEFT's {@code LoraConfig}): rank {@code r}, {@code alpha} (the
 * update is scaled by {@code alpha / r}), dropout on the adapter's input, the target layers as
 * module-path suffixes, and the seed of the adapters' initial values and dropout masks.
 *
 * <p>A target pattern matches a module whose dotted path equals it or ends with {@code "." + pattern}:
 * {@code attn.c_attn} matches {@code transformer.h.0.attn.c_attn} in every block. The defaults are
 * the attention projections of a nanoGPT-style model, {@link #ATTENTION_TARGETS}; {@link Builder#withMlp()}
 * adds {@link #MLP_TARGETS}.
 *
 * @param rank    the adapters' rank r, at least 1
 * @param alpha   the scale numerator, finite and positive; the update is {@code (alpha / rank) * B A x}
 * @param dropout the drop probability of the adapter input in training, in [0, 1)
 * @param targets the target patterns, non-empty, in order, without duplicates
 * @param seed    seed of the generator that draws every adapter's {@code A} (in module order) and dropout masks
 */
public record LoraConfig(int rank, double alpha, float dropout, List<String> targets, long seed) {
    /** The attention projections of a nanoGPT-style block: {@code attn.c_attn} (q, k, v) and {@code attn.c_proj}. */
    public static final List<String> ATTENTION_TARGETS = List.of("attn.c_attn", "attn.c_proj");
    /** The MLP layers of a nanoGPT-style block: {@code mlp.c_fc} and {@code mlp.c_proj}. */
    public static final List<String> MLP_TARGETS = List.of("mlp.c_fc", "mlp.c_proj");

    /**
     * Checks the settings and keeps an unmodifiable copy of the targets.
     *
     * @throws IllegalArgumentException if a value is out of range, or a target is empty or repeated
     */
    public LoraConfig {
        if (rank < 1) throw new IllegalArgumentException("LoraConfig: rank must be >= 1, got " + rank);
        if (!(alpha > 0) || Double.isInfinite(alpha)) throw new IllegalArgumentException("LoraConfig: alpha must be finite and > 0, got " + alpha);
        if (!(dropout >= 0f && dropout < 1f)) throw new IllegalArgumentException("LoraConfig: dropout must be in [0, 1), got " + dropout);
        Objects.requireNonNull(targets, "targets");
        if (targets.isEmpty()) throw new IllegalArgumentException("LoraConfig: no target modules given");
        for (String t : targets) {
            if (t == null || t.isEmpty() || t.startsWith(".") || t.endsWith(".")) {
                throw new IllegalArgumentException("LoraConfig: invalid target pattern '" + t + "' (a module path suffix such as attn.c_attn)");
            }
        }
        if (new LinkedHashSet<>(targets).size() != targets.size()) throw new IllegalArgumentException("LoraConfig: repeated target in " + targets);
        targets = List.copyOf(targets);
    }

    /** {@return the factor of the adapter update, {@code alpha / rank}} */
    public double scaling() {
        return alpha / rank;
    }

    /** {@return a builder with PEFT's defaults: rank 8, alpha 8, no dropout, the attention targets, seed 0} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return whether {@code path} (a dotted module path) is matched by {@code pattern}} */
    static boolean matches(String pattern, String path) {
        return path.equals(pattern) || path.endsWith("." + pattern);
    }

    /** Builds a {@link LoraConfig}; every setter returns the builder. */
    public static final class Builder {
        private int rank = 8;
        private double alpha = 8;
        private float dropout;
        private final List<String> targets = new ArrayList<>(ATTENTION_TARGETS);
        private long seed;

        private Builder() {}

        /**
         * Sets the rank r.
         *
         * @param rank at least 1
         * @return this builder
         */
        public Builder rank(int rank) {
            this.rank = rank;
            return this;
        }

        /**
         * Sets alpha; the update is scaled by {@code alpha / rank}.
         *
         * @param alpha finite and positive
         * @return this builder
         */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /**
         * Sets the dropout probability of the adapters' input (training mode only).
         *
         * @param p in [0, 1)
         * @return this builder
         */
        public Builder dropout(float p) {
            this.dropout = p;
            return this;
        }

        /**
         * Replaces the target patterns.
         *
         * @param patterns module-path suffixes, e.g. {@code "attn.c_attn"}
         * @return this builder
         */
        public Builder targets(String... patterns) {
            targets.clear();
            targets.addAll(List.of(patterns));
            return this;
        }

        /**
         * Adds the MLP layers ({@link #MLP_TARGETS}) to the targets.
         *
         * @return this builder
         */
        public Builder withMlp() {
            for (String t : MLP_TARGETS) if (!targets.contains(t)) targets.add(t);
            return this;
        }

        /**
         * Sets the seed of the adapters' initial {@code A} values and dropout masks.
         *
         * @param seed any value
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * {@return the checked configuration}
         *
         * @throws IllegalArgumentException as the {@link LoraConfig} constructor
         */
        public LoraConfig build() {
            return new LoraConfig(rank, alpha, dropout, targets, seed);
        }
    }
}
