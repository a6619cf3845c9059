package dev.kiln.spi;

/**
 * One SGD step, PyTorch's formulas: {@code g += wd*p}; with momentum, {@code buf = momentum*buf
 * + (1-dampening)*g} (on the first step {@code buf = g}), {@code g = nesterov ? g + momentum*buf :
 * buf}; {@code p -= lr*g}. {@code firstStep} says the momentum buffers hold no history yet.
 */
public record SgdSpec(float lr, float momentum, float dampening, float weightDecay, boolean nesterov, boolean firstStep) {}
