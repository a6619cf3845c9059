package dev.kiln.spi;

/**
 * One SGD step, PyTorch's formulas: {@code g += wd*p}; with momentum, {@code buf = momentum*buf
 * + (1-dampening)*g} (on the first step {@code buf = g}), {@code g = nesterov ? g + momentum*buf :
 * buf}; {@code p -= lr*g}. {@code firstStep} says the momentum buffers hold no history yet.
 *
 * @param lr          learning rate
 * @param momentum    momentum factor; 0 for plain SGD (no buffer)
 * @param dampening   fraction of the gradient left out of the momentum buffer
 * @param weightDecay L2 penalty added to the gradient; 0 for none
 * @param nesterov    use Nesterov momentum
 * @param firstStep   the momentum buffers are uninitialised and take the gradient as is
 */
public record SgdSpec(float lr, float momentum, float dampening, float weightDecay, boolean nesterov, boolean firstStep) {}
