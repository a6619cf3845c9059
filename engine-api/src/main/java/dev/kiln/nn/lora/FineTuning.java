package dev.kiln.nn.lora;

import dev.kiln.nn.Module;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The three ways to fine-tune a pre-trained model, as freezing decisions: {@link #full} trains
 * everything, {@link #headOnly} only the parameters under given name prefixes (e.g. a GPT's
 * {@code transformer.ln_f} and {@code lm_head}), {@link #lora} only LoRA adapters. Each reports
 * the trainable parameter count; build the optimizer afterwards over
 * {@link Module#trainableParameters()}.
 */
public final class FineTuning {
    private FineTuning() {}

    /** The three methods, for command lines. */
    public enum Method {
        /** Every parameter trains. */
        FULL,
        /** Only parameters under given name prefixes train. */
        HEAD,
        /** Only LoRA adapters train. */
        LORA
    }

    /**
     * What a method left trainable.
     *
     * @param method              the method applied
     * @param trainable           the names of the parameters that require a gradient, in model order
     * @param trainableParameters their element count
     * @param totalParameters     the element count of all parameters (a shared tensor counted once)
     */
    public record Trainable(Method method, List<String> trainable, long trainableParameters, long totalParameters) {
        /** Keeps an unmodifiable copy. */
        public Trainable {
            trainable = List.copyOf(trainable);
        }

        /** {@return trainable over total parameters, from 0 to 1} */
        public double trainableFraction() {
            return totalParameters == 0 ? 0 : (double) trainableParameters / totalParameters;
        }
    }

    /**
     * Unfreezes every parameter.
     *
     * @param model the model
     * @return every parameter, trainable
     */
    public static Trainable full(Module model) {
        model.requiresGrad(true);
        return report(Method.FULL, model);
    }

    /**
     * Freezes everything except the parameters whose dotted name equals a prefix or starts with
     * {@code prefix + "."}. Names are matched under every module that holds a tensor, so a head whose
     * weight is tied to the token embedding ({@code lm_head.weight} shared with
     * {@code transformer.wte.weight}) is matched by {@code "lm_head"}, and the shared tensor trains.
     *
     * @param model    the model
     * @param prefixes name prefixes of the parameters to train, e.g. {@code "transformer.ln_f", "lm_head"}
     * @return what trains
     * @throws IllegalArgumentException if no prefix is given or a prefix matches no parameter
     */
    public static Trainable headOnly(Module model, String... prefixes) {
        if (prefixes.length == 0) throw new IllegalArgumentException("headOnly: no parameter prefix given");
        Set<Tensor> train = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<String, Tensor> all = everyName(model);
        for (String prefix : prefixes) {
            boolean any = false;
            for (Map.Entry<String, Tensor> e : all.entrySet()) {
                if (e.getKey().equals(prefix) || e.getKey().startsWith(prefix + ".")) {
                    train.add(e.getValue());
                    any = true;
                }
            }
            if (!any) {
                throw new IllegalArgumentException("headOnly: prefix '" + prefix + "' matches no parameter (top-level names: " + topLevel(all) + ")");
            }
        }
        model.requiresGrad(false);
        for (Tensor t : train) t.requiresGrad(true);
        return report(Method.HEAD, model);
    }

    /**
     * {@link Lora#apply}: adapters on the configured layers, everything else frozen.
     *
     * @param model  the model to adapt in place
     * @param config the adapters' configuration
     * @return the adapters, trainable
     * @throws IllegalArgumentException as {@link Lora#apply}
     */
    public static Trainable lora(Module model, LoraConfig config) {
        Lora.apply(model, config);
        return report(Method.LORA, model);
    }

    /** Every (module path + own parameter name) of the tree, shared tensors under each of their names. */
    private static Map<String, Tensor> everyName(Module model) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Module> m : model.namedModules().entrySet()) {
            for (Map.Entry<String, Tensor> p : m.getValue().namedParameters().entrySet()) {
                if (p.getKey().indexOf('.') >= 0) continue; // a child's: listed under the child's own path
                out.put(m.getKey().isEmpty() ? p.getKey() : m.getKey() + "." + p.getKey(), p.getValue());
            }
        }
        return out;
    }

    private static Set<String> topLevel(Map<String, Tensor> names) {
        Set<String> out = new LinkedHashSet<>();
        for (String n : names.keySet()) out.add(n.contains(".") ? n.substring(0, n.indexOf('.')) : n);
        return out;
    }

    private static Trainable report(Method method, Module model) {
        List<String> names = new ArrayList<>();
        long trainable = 0, total = 0;
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            total += e.getValue().numel();
            if (e.getValue().requiresGrad()) {
                names.add(e.getKey());
                trainable += e.getValue().numel();
            }
        }
        return new Trainable(method, names, trainable, total);
    }
}
