package dev.kiln.optim;

import dev.kiln.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An optimizer's state for one parameter: named tensors (such as {@code exp_avg}) owned by the
 * optimizer, and the number of updates applied to the parameter.
 */
public final class ParamState {
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private long step;

    ParamState() {}

    /**
     * {@return the state tensor {@code name}, or null before it exists}
     *
     * @param name the state's key, e.g. {@code exp_avg}
     */
    public Tensor get(String name) {
        return tensors.get(name);
    }

    /**
     * The state tensor {@code name}, created as zeros shaped and placed like {@code param} when
     * absent. The optimizer owns it.
     *
     * @param name the state's key, e.g. {@code momentum_buffer}
     * @param param the parameter the state belongs to
     * @return the state tensor
     */
    public Tensor getOrZeros(String name, Tensor param) {
        return tensors.computeIfAbsent(name, k -> Tensor.full(param.backend(), 0f, param.shape()).unscope());
    }

    /**
     * Stores {@code tensor} (unscoped, now owned here) under {@code name}, closing any previous one.
     *
     * @param name the state's key
     * @param tensor the new state tensor, unscoped
     */
    public void put(String name, Tensor tensor) {
        Tensor old = tensors.put(name, tensor.unscope());
        if (old != null && old != tensor) old.close();
    }

    /** {@return the state tensors by name (an unmodifiable view)} */
    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /**
     * Updates applied to this parameter so far.
     *
     * @return the number of updates
     */
    public long step() {
        return step;
    }

    /**
     * Sets the update count (after an update, or when loading a checkpoint).
     *
     * @param step the number of updates applied
     */
    public void step(long step) {
        if (step < 0) throw new IllegalArgumentException("optimizer: step must be >= 0, got " + step);
        this.step = step;
    }

    void close() {
        tensors.values().forEach(Tensor::close);
        tensors.clear();
    }
}
