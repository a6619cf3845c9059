package dev.kiln.spi;

/**
 * One Adam/AdamW step (PyTorch's formulas). {@code step} is the 1-based step count used for
 * bias correction. With {@code decoupled} (AdamW) weight decay multiplies the parameter by
 * {@code 1 - lr*weightDecay}; otherwise (Adam) {@code weightDecay*param} is added to the gradient.
 */
public record AdamSpec(float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled, long step) {}
