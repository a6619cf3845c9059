package dev.kiln.nn;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * Parameter initialisation as PyTorch does it by default. Every factory returns an unscoped
 * leaf tensor that requires a gradient (or, for buffers, does not), for a module to own.
 */
public final class Init {
    private Init() {}

    /**
     * The bound of PyTorch's default Conv/Linear initialisation, {@code kaiming_uniform_(a=sqrt(5))}:
     * gain sqrt(2/(1+5)) times sqrt(3/fanIn) is {@code 1/sqrt(fanIn)}; biases use the same bound.
     *
     * @param fanIn inputs feeding each output (in features, or in channels / groups * kh * kw)
     * @return {@code 1/sqrt(fanIn)}
     * @throws IllegalArgumentException if {@code fanIn < 1}
     */
    public static double defaultBound(long fanIn) {
        if (fanIn < 1) throw new IllegalArgumentException("init: fan_in must be >= 1, got " + fanIn);
        return 1.0 / Math.sqrt(fanIn);
    }

    /**
     * {@return a parameter of {@code shape} drawn from U(-bound, bound) by {@code generator}, on {@code backend}}
     *
     * @param backend where the tensor lives
     * @param generator source of the values
     * @param bound half-width of the interval
     * @param shape the tensor's shape
     */
    public static Tensor uniformParameter(Backend backend, Generator generator, double bound, int... shape) {
        float[] data = new float[Math.toIntExact(Shape.numel(Shape.checked("init", shape)))];
        generator.fillUniform(data, (float) -bound, (float) bound);
        return Tensor.fromArray(backend, data, shape).unscope().requiresGrad(true);
    }

    /**
     * {@return a parameter of {@code shape} with every element {@code value}, on {@code backend}}
     *
     * @param backend where the tensor lives
     * @param value every element's value
     * @param shape the tensor's shape
     */
    public static Tensor constantParameter(Backend backend, float value, int... shape) {
        return Tensor.full(backend, value, shape).unscope().requiresGrad(true);
    }

    /**
     * {@return a buffer (no gradient) of {@code shape} with every element {@code value}, on {@code backend}}
     *
     * @param backend where the tensor lives
     * @param value every element's value
     * @param shape the tensor's shape
     */
    public static Tensor constantBuffer(Backend backend, float value, int... shape) {
        return Tensor.full(backend, value, shape).unscope();
    }
}
