package dev.kiln.spi;

/**
 * One Adam/AdamW step (PyTorch's formulas). {@code step} is the 1-based step count used for
 * bias correction. With {@code decoupled} (AdamW) weight decay multiplies the parameter by
 * {@code 1 - lr*weightDecay}; otherwise (Adam) {@code weightDecay*param} is added to the gradient.
 *
 * @param lr          learning rate
 * @param beta1       decay of the first-moment (mean) estimate
 * @param beta2       decay of the second-moment (uncentred variance) estimate
 * @param eps         added to the square root of the second moment before dividing
 * @param weightDecay L2 penalty (Adam) or decoupled decay rate (AdamW); 0 for none
 * @param decoupled   true for AdamW's decoupled decay
 * @param step        1-based number of this step, for bias correction
 */
public record AdamSpec(float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled, long step) {}
