package dev.kiln.optim;

import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Parameters that share a learning rate and weight decay, e.g. a pre-trained backbone at a low
 * rate and a fresh head at a high one:
 * {@code List.of(ParamGroup.of(backbone.parameters()).lr(1e-4), ParamGroup.of(head.parameters()))}.
 * Values left unset take the optimizer's defaults when the optimizer is built. Schedulers
 * change {@link #lr()} from {@link #initialLr()}.
 */
public final class ParamGroup {
    private final List<Tensor> params;
    private double lr = Double.NaN;
    private double weightDecay = Double.NaN;
    private double initialLr = Double.NaN;

    private ParamGroup(List<Tensor> params) {
        this.params = Collections.unmodifiableList(params);
    }

    /**
     * {@return a group of {@code params} (in iteration order) with the optimizer's default settings}
     *
     * @param params the group's parameters
     */
    public static ParamGroup of(Iterable<Tensor> params) {
        List<Tensor> list = new ArrayList<>();
        for (Tensor p : params) list.add(java.util.Objects.requireNonNull(p, "parameter"));
        return new ParamGroup(list);
    }

    /** {@return the parameters, in order (unmodifiable)} */
    public List<Tensor> params() {
        return params;
    }

    /** {@return the current learning rate (NaN until set or defaulted by the optimizer)} */
    public double lr() {
        return lr;
    }

    /**
     * Sets the learning rate (schedulers call this every step); returns this.
     *
     * @param lr the learning rate, at least 0
     * @return this group
     * @throws IllegalArgumentException if {@code lr} is negative or not finite
     */
    public ParamGroup lr(double lr) {
        this.lr = checkNonNegative("learning rate", lr);
        return this;
    }

    /** {@return the weight decay (NaN until set or defaulted by the optimizer)} */
    public double weightDecay() {
        return weightDecay;
    }

    /**
     * Sets the weight decay; returns this.
     *
     * @param weightDecay the weight decay, at least 0
     * @return this group
     * @throws IllegalArgumentException if {@code weightDecay} is negative or not finite
     */
    public ParamGroup weightDecay(double weightDecay) {
        this.weightDecay = checkNonNegative("weight decay", weightDecay);
        return this;
    }

    /** {@return the learning rate the group started with, the base of learning-rate schedules} */
    public double initialLr() {
        return initialLr;
    }

    void initialLr(double value) {
        this.initialLr = checkNonNegative("initial learning rate", value);
    }

    /** Fills unset values with the optimizer's defaults and records the initial learning rate. */
    void resolve(double defaultLr, double defaultWeightDecay) {
        if (Double.isNaN(lr)) lr(defaultLr);
        if (Double.isNaN(weightDecay)) weightDecay(defaultWeightDecay);
        if (Double.isNaN(initialLr)) initialLr(lr);
    }

    private static double checkNonNegative(String what, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException("optimizer: " + what + " must be finite and >= 0, got " + v);
        return v;
    }
}
