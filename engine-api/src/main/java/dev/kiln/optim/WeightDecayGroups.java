package dev.kiln.optim;

import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.LearnedPositionalEmbedding;
import dev.kiln.nn.Module;
import dev.kiln.nn.RMSNorm;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A model's trainable parameters split into the two groups of decoupled weight decay, as GPT
 * training recipes do (nanoGPT's {@code configure_optimizers}): weight matrices decay, while
 * biases, normalisation weights and embedding tables do not.
 *
 * {@snippet :
 * WeightDecayGroups groups = WeightDecayGroups.of(model);
 * System.out.println(groups.describe());              // which names land where
 * AdamW optimizer = AdamW.builder(groups.paramGroups(0.1)).lr(6e-4).betas(0.9, 0.95).build();
 * }
 *
 * <p>The rule looks at the module that registers each parameter, not at its name alone:
 * <ol>
 *   <li>frozen parameters ({@code requiresGrad} false) are left out of both groups;</li>
 *   <li>a parameter registered by an {@link Embedding}, a {@link LearnedPositionalEmbedding}, a
 *       {@link LayerNorm}, an {@link RMSNorm} or a {@link BatchNorm2d} (or a module of an extra
 *       type given to {@link #of(Module, Set)}) does not decay;</li>
 *   <li>any other parameter decays when it has two or more dimensions (the weights of
 *       {@code Linear}, convolutions, attention projections and recurrent layers) and does not
 *       when it has fewer (biases and other per-feature vectors).</li>
 * </ol>
 * A tensor reachable under several names (a language model's head tied to its token embedding)
 * is listed once, under its first name in {@link Module#namedParameters()}; if any module that
 * registers it is an embedding or a norm, it does not decay (the embedding wins over the head).
 */
public final class WeightDecayGroups {
    private static final Set<Class<? extends Module>> NO_DECAY_TYPES =
            Set.of(Embedding.class, LearnedPositionalEmbedding.class, LayerNorm.class, RMSNorm.class, BatchNorm2d.class);

    private final Map<String, Tensor> decay;
    private final Map<String, Tensor> noDecay;

    private WeightDecayGroups(Map<String, Tensor> decay, Map<String, Tensor> noDecay) {
        this.decay = Collections.unmodifiableMap(decay);
        this.noDecay = Collections.unmodifiableMap(noDecay);
    }

    /**
     * Splits {@code model}'s trainable parameters by the rule of the class comment.
     *
     * @param model the model
     * @return the two groups, each in {@link Module#namedParameters()} order
     */
    public static WeightDecayGroups of(Module model) {
        return of(model, Set.of());
    }

    /**
     * Splits {@code model}'s trainable parameters, treating modules of {@code extraNoDecayTypes}
     * (e.g. a custom norm layer) like the built-in norms and embeddings: none of their parameters decays.
     *
     * @param model the model
     * @param extraNoDecayTypes further module types whose parameters never decay (subclasses included)
     * @return the two groups, each in {@link Module#namedParameters()} order
     */
    public static WeightDecayGroups of(Module model, Set<Class<? extends Module>> extraNoDecayTypes) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(extraNoDecayTypes, "extraNoDecayTypes");
        // Every tensor registered by a no-decay module, wherever in the tree, even when its first name is elsewhere.
        Set<Tensor> exempt = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Module m : model.namedModules().values()) {
            if (!isNoDecayModule(m, extraNoDecayTypes)) continue;
            // A module's own parameters come first in its namedParameters() and have no dot in their names.
            m.namedParameters().forEach((name, p) -> {
                if (name.indexOf('.') < 0) exempt.add(p);
            });
        }
        Map<String, Tensor> decay = new LinkedHashMap<>(), noDecay = new LinkedHashMap<>();
        model.namedTrainableParameters().forEach((name, p) -> {
            boolean decays = !exempt.contains(p) && p.rank() >= 2;
            (decays ? decay : noDecay).put(name, p);
        });
        return new WeightDecayGroups(decay, noDecay);
    }

    private static boolean isNoDecayModule(Module m, Set<Class<? extends Module>> extra) {
        for (Class<? extends Module> c : NO_DECAY_TYPES) if (c.isInstance(m)) return true;
        for (Class<? extends Module> c : extra) if (c.isInstance(m)) return true;
        return false;
    }

    /** {@return the parameters that decay, by name, in model order (unmodifiable)} */
    public Map<String, Tensor> decay() {
        return decay;
    }

    /** {@return the parameters that do not decay, by name, in model order (unmodifiable)} */
    public Map<String, Tensor> noDecay() {
        return noDecay;
    }

    /**
     * The optimizer's two groups: first the decaying parameters with {@code weightDecay}, then the
     * others with weight decay 0 (either may be empty). Learning rates are left to the optimizer's default.
     *
     * @param weightDecay the decay of the first group, finite and at least 0
     * @return the groups, for {@code AdamW.builder(groups)}
     * @throws IllegalArgumentException if {@code weightDecay} is negative or not finite
     */
    public List<ParamGroup> paramGroups(double weightDecay) {
        return List.of(ParamGroup.of(decay.values()).weightDecay(weightDecay), ParamGroup.of(noDecay.values()).weightDecay(0));
    }

    /**
     * For logs: {@code decay: 4 tensors, 12345 parameters (h.0.attn.weight, ...); no decay: ...}.
     *
     * @return one line per group, naming every parameter
     */
    public String describe() {
        return line("decay", decay) + "\n" + line("no decay", noDecay);
    }

    private static String line(String label, Map<String, Tensor> group) {
        long n = 0;
        for (Tensor t : group.values()) n += t.numel();
        List<String> names = new ArrayList<>(group.keySet());
        return label + ": " + group.size() + " tensors, " + n + " parameters (" + String.join(", ", names) + ")";
    }

    @Override
    public String toString() {
        return "WeightDecayGroups(decay " + decay.keySet() + ", no decay " + noDecay.keySet() + ")";
    }
}
