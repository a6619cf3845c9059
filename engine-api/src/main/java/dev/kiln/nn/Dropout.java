package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * Inverted dropout: in training mode each element is zeroed with probability {@code p} and the
 * rest are scaled by {@code 1/(1-p)}; in evaluation mode the identity. Masks come from the
 * generator given at construction, so a seeded run repeats exactly. Any shape in, same shape out.
 */
public class Dropout extends Module {
    private final float p;
    private final Generator generator;

    /** {@code p = 0.5}, masks from {@link Kiln#generator()}. */
    public Dropout() {
        this(0.5f);
    }

    /**
     * Masks from {@link Kiln#generator()}.
     *
     * @param p drop probability, in [0, 1)
     */
    public Dropout(float p) {
        this(p, Kiln.generator());
    }

    /**
     * Dropout with probability {@code p}, masks drawn from {@code generator}.
     *
     * @param p drop probability, in [0, 1)
     * @param generator random stream of the masks (the layer draws from it on every training forward)
     * @throws IllegalArgumentException if {@code p} is not in [0, 1)
     */
    public Dropout(float p, Generator generator) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        this.p = p;
        this.generator = java.util.Objects.requireNonNull(generator, "generator");
    }

    /** Same shape as the input. */
    @Override
    public Tensor forward(Tensor input) {
        return Functional.dropout(input, p, isTraining(), generator);
    }

    /** {@return the drop probability} */
    public float p() {
        return p;
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
