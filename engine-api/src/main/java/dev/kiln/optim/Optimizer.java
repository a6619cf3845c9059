package dev.kiln.optim;

import dev.kiln.Kiln;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the optimizers: parameter groups with their own learning rate and weight decay,
 * per-parameter state, and checkpoint export/import. {@link #step()} updates every parameter
 * that requires a gradient and has one; frozen parameters and parameters without a gradient
 * are left alone (and their state untouched). Owns its state tensors: {@link #close()} frees
 * them. Not thread-safe.
 */
public abstract class Optimizer implements AutoCloseable {
    private final List<ParamGroup> groups;
    private final List<Tensor> params = new ArrayList<>();
    private final List<ParamState> states = new ArrayList<>();

    /**
     * Resolves the groups' defaults and indexes their parameters in order.
     *
     * @param groups            the parameter groups (unset values take the defaults)
     * @param defaultLr         learning rate for groups that set none
     * @param defaultWeightDecay weight decay for groups that set none
     * @throws IllegalArgumentException if there are no groups, a parameter appears twice, or a value is invalid
     */
    protected Optimizer(List<ParamGroup> groups, double defaultLr, double defaultWeightDecay) {
        if (groups.isEmpty()) throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameter groups given");
        this.groups = List.copyOf(groups);
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        for (ParamGroup g : this.groups) {
            g.resolve(defaultLr, defaultWeightDecay);
            for (Tensor p : g.params()) {
                if (seen.put(p, Boolean.TRUE) != null) {
                    throw new IllegalArgumentException(getClass().getSimpleName() + ": a parameter of shape " + Shape.str(p.shape())
                            + " appears in more than one place");
                }
                if (p.dtype() != DType.FLOAT32) throw new IllegalArgumentException(getClass().getSimpleName() + ": parameters must be FLOAT32, got " + p.dtype());
                params.add(p);
                states.add(null);
            }
        }
    }

    /**
     * Checks an optimizer option that must be finite and {@code >= 0}.
     *
     * @param optimizer the optimizer's name, for the message
     * @param option    the option's name, for the message
     * @param value     the value given
     * @return {@code value}
     * @throws IllegalArgumentException if it is negative, NaN or infinite
     */
    static double nonNegative(String optimizer, String option, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(optimizer + ": " + option + " must be finite and >= 0, got " + value);
        }
        return value;
    }

    /**
     * {@return one group holding {@code params}, with the defaults}
     *
     * @param params the parameters, in iteration order
     */
    protected static List<ParamGroup> single(Iterable<Tensor> params) {
        return List.of(ParamGroup.of(params));
    }

    /** {@return the parameter groups, in order (the groups themselves are mutable: lr, weight decay)} */
    public final List<ParamGroup> paramGroups() {
        return groups;
    }

    /**
     * Applies one update to every parameter that requires a gradient and has one, without
     * recording gradients.
     */
    public final void step() {
        try (var _ = Kiln.noGrad()) {
            int base = 0;
            for (ParamGroup g : groups) {
                List<Integer> live = new ArrayList<>();
                for (int i = 0; i < g.params().size(); i++) {
                    Tensor p = g.params().get(i);
                    if (p.requiresGrad() && p.grad() != null) live.add(base + i);
                }
                if (!live.isEmpty()) update(g, live);
                base += g.params().size();
            }
        }
    }

    /**
     * Updates the parameters at {@code indices} (global indices, all in {@code group}, each with
     * a gradient), using {@link #param} and {@link #state}.
     *
     * @param group the group whose settings (learning rate, weight decay) apply
     * @param indices global indices of the group's parameters that have a gradient
     */
    protected abstract void update(ParamGroup group, List<Integer> indices);

    /**
     * {@return the parameter at global index {@code index} (counting over all groups in order)}
     *
     * @param index global parameter index
     */
    protected final Tensor param(int index) {
        return params.get(index);
    }

    /**
     * {@return the state of the parameter at {@code index}, created empty on first use}
     *
     * @param index global parameter index
     */
    protected final ParamState state(int index) {
        ParamState s = states.get(index);
        if (s == null) {
            s = new ParamState();
            states.set(index, s);
        }
        return s;
    }

    /** Clears the gradient of every parameter in every group. */
    public final void zeroGrad() {
        for (Tensor p : params) p.zeroGrad();
    }

    /**
     * The state for a checkpoint (see {@link OptimizerState} for the keys). The tensors are the
     * live ones: write them out before the next {@link #step()}; do not close them.
     *
     * @return the step counts, group settings and moment buffers, keyed as PyTorch's {@code state_dict()}
     */
    public final OptimizerState state() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, Double> scalars = new LinkedHashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            scalars.put("group." + g + ".lr", groups.get(g).lr());
            scalars.put("group." + g + ".initial_lr", groups.get(g).initialLr());
            scalars.put("group." + g + ".weight_decay", groups.get(g).weightDecay());
        }
        for (int i = 0; i < states.size(); i++) {
            ParamState s = states.get(i);
            if (s == null) continue;
            scalars.put(i + ".step", (double) s.step());
            for (Map.Entry<String, Tensor> e : s.tensors().entrySet()) tensors.put(i + "." + e.getKey(), e.getValue());
        }
        return new OptimizerState(tensors, scalars);
    }

    /**
     * Replaces the whole state with copies of {@code state}'s tensors (placed on each parameter's
     * backend) and its step counts and group settings, so training resumes exactly where the
     * exported optimizer left off.
     *
     * @param state the state to copy in, from {@link #state()} or a checkpoint
     * @throws IllegalArgumentException naming the key when a key is malformed, refers to a
     *                                  parameter or group that does not exist, a tensor's shape or dtype differs from its parameter's,
     *                                  or a step count is not a whole number from 0 to 2^53
     */
    public final void loadState(OptimizerState state) {
        List<ParamState> fresh = new ArrayList<>(Collections.nCopies(params.size(), (ParamState) null));
        List<Runnable> groupSettings = new ArrayList<>();
        try (var _ = Kiln.noGrad()) {
            for (Map.Entry<String, Tensor> e : state.tensors().entrySet()) {
                int i = paramIndex(e.getKey());
                Tensor src = e.getValue(), p = params.get(i);
                if (!Arrays.equals(src.shape(), p.shape()) || src.dtype() != DType.FLOAT32) {
                    throw new IllegalArgumentException(getClass().getSimpleName() + ": state '" + e.getKey() + "' has shape " + Shape.str(src.shape())
                            + " " + src.dtype() + ", parameter " + i + " has " + Shape.str(p.shape()) + " FLOAT32");
                }
                Tensor copy = src.backend() == p.backend() ? src.copy() : src.to(p.backend());
                stateAt(fresh, i).put(e.getKey().substring(e.getKey().indexOf('.') + 1), copy);
            }
            for (Map.Entry<String, Double> e : state.scalars().entrySet()) {
                String k = e.getKey();
                double v = e.getValue();
                if (k.startsWith("group.")) {
                    groupSettings.add(groupSetting(k, v));
                } else if (k.endsWith(".step") && k.indexOf('.') == k.length() - 5) {
                    if (!(v >= 0 && v <= 0x1p53 && v == Math.rint(v))) { // a NaN or fractional count would silently become another number
                        throw new IllegalArgumentException(getClass().getSimpleName() + ": state scalar '" + k + "' must be a whole number from 0 to 2^53, got " + v);
                    }
                    stateAt(fresh, paramIndex(k)).step((long) v);
                } else {
                    throw new IllegalArgumentException(getClass().getSimpleName() + ": unexpected state scalar '" + k + "'");
                }
            }
        } catch (RuntimeException e) {
            closeAll(fresh);
            throw e;
        }
        groupSettings.forEach(Runnable::run);
        closeAll(states);
        for (int i = 0; i < fresh.size(); i++) states.set(i, fresh.get(i));
    }

    /** The validated setter for a {@code group.<g>.<name>} scalar, run only once the whole state checked out. */
    private Runnable groupSetting(String key, double v) {
        String[] parts = key.split("\\.");
        int g = parts.length == 3 ? parseIndex(parts[1]) : -1;
        if (g < 0 || g >= groups.size()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": state scalar '" + key + "' names no group (there are " + groups.size() + ")");
        }
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": state scalar '" + key + "' must be finite and >= 0, got " + v);
        }
        ParamGroup group = groups.get(g);
        return switch (parts[2]) {
            case "lr" -> () -> group.lr(v);
            case "initial_lr" -> () -> group.initialLr(v);
            case "weight_decay" -> () -> group.weightDecay(v);
            default -> throw new IllegalArgumentException(getClass().getSimpleName() + ": unexpected state scalar '" + key + "'");
        };
    }

    private static ParamState stateAt(List<ParamState> list, int i) {
        if (list.get(i) == null) list.set(i, new ParamState());
        return list.get(i);
    }

    private int paramIndex(String key) {
        int dot = key.indexOf('.');
        int i = dot > 0 ? parseIndex(key.substring(0, dot)) : -1;
        if (i < 0 || i >= params.size()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": state key '" + key + "' names no parameter (there are "
                    + params.size() + ")");
        }
        return i;
    }

    private static int parseIndex(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void closeAll(List<ParamState> list) {
        for (ParamState s : list) if (s != null) s.close();
    }

    /** Frees the state tensors (not the parameters). Idempotent. */
    @Override
    public void close() {
        closeAll(states);
        Collections.fill(states, null);
    }
}
