package dev.kiln.nn.lora;

import dev.kiln.nn.Init;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.Objects;

/**
 * A {@link Linear} layer with a low-rank adapter (LoRA, PEFT's {@code lora.Linear}):
 * {@code y = x W^T + b + (alpha / r) * dropout(x) A^T B^T}, input {@code [..., in]}, output
 * {@code [..., out]}. {@code A [r, in]} starts as PyTorch initialises a Linear's weight
 * ({@code kaiming_uniform_(a=sqrt(5))}: U(-1/sqrt(in), 1/sqrt(in))), {@code B [out, r]} at zero,
 * so at first the layer computes exactly what the base layer does.
 *
 * <p>Parameters, in order: the base's {@code weight} and {@code bias} (the same tensors, under the
 * same names as in the plain Linear, so a base checkpoint loads into the adapted model unchanged),
 * then {@code lora_A.weight} and {@code lora_B.weight} (PEFT's names). {@link Lora#apply} builds these
 * and freezes the base; {@link Lora#merge} folds the update back into a plain Linear.
 */
public final class LoraLinear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    private final int rank;
    private final double alpha;
    private final float dropout;
    private final Generator dropoutGenerator;
    private final Factor loraA;
    private final Factor loraB;

    /**
     * Adapts {@code base}: takes over its weight and bias tensors (do not close {@code base} while this
     * layer uses them) and adds the factors on their backend. {@code A} is drawn from {@code generator},
     * then the dropout masks' stream is derived from it.
     *
     * @param base      the layer to adapt
     * @param rank      the adapter rank r, at least 1
     * @param alpha     the scale numerator (the update is scaled by {@code alpha / rank}), finite and positive
     * @param dropout   drop probability of the adapter input in training, in [0, 1)
     * @param generator source of {@code A} and of the dropout stream's seed
     * @throws IllegalArgumentException if a value is out of range
     */
    public LoraLinear(Linear base, int rank, double alpha, float dropout, Generator generator) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(generator, "generator");
        if (rank < 1) throw new IllegalArgumentException("LoraLinear: rank must be >= 1, got " + rank);
        if (!(alpha > 0) || Double.isInfinite(alpha)) throw new IllegalArgumentException("LoraLinear: alpha must be finite and > 0, got " + alpha);
        if (!(dropout >= 0f && dropout < 1f)) throw new IllegalArgumentException("LoraLinear: dropout must be in [0, 1), got " + dropout);
        Tensor w = base.weight();
        this.outFeatures = w.size(0);
        this.inFeatures = w.size(1);
        this.rank = rank;
        this.alpha = alpha;
        this.dropout = dropout;
        registerParameter("weight", w);
        if (base.bias() != null) registerParameter("bias", base.bias());
        Backend backend = w.backend();
        this.loraA = registerModule("lora_A", new Factor(Init.uniformParameter(backend, generator, Init.defaultBound(inFeatures), rank, inFeatures)));
        this.loraB = registerModule("lora_B", new Factor(Init.constantParameter(backend, 0f, outFeatures, rank)));
        this.dropoutGenerator = new Generator(generator.nextLong());
    }

    /** {@code [..., in] -> [..., out]}: the base output plus the scaled low-rank update. */
    @Override
    public Tensor forward(Tensor input) {
        Tensor base = Functional.linear(input, weight(), bias());
        Tensor x = dropout > 0 ? Functional.dropout(input, dropout, isTraining(), dropoutGenerator) : input;
        Tensor update = call(loraB, call(loraA, x));
        return base.add(update.mul((float) scaling()));
    }

    /** {@return the base weight {@code [out, in]} (frozen by {@link Lora#apply})} */
    public Tensor weight() {
        return parameter("weight");
    }

    /** {@return the base bias {@code [out]}, or null when the base has none} */
    public Tensor bias() {
        return parameter("bias");
    }

    /** {@return the down projection {@code A [r, in]}} */
    public Tensor loraA() {
        return loraA.weight();
    }

    /** {@return the up projection {@code B [out, r]}} */
    public Tensor loraB() {
        return loraB.weight();
    }

    /** {@return the rank r} */
    public int rank() {
        return rank;
    }

    /** {@return alpha} */
    public double alpha() {
        return alpha;
    }

    /** {@return the update's factor, {@code alpha / rank}} */
    public double scaling() {
        return alpha / rank;
    }

    /** {@return the drop probability of the adapter input} */
    public float dropout() {
        return dropout;
    }

    /** {@return the input size} */
    public int inFeatures() {
        return inFeatures;
    }

    /** {@return the output size} */
    public int outFeatures() {
        return outFeatures;
    }

    @Override
    protected String extraRepr() {
        return "in=" + inFeatures + ", out=" + outFeatures + (bias() == null ? ", bias=false" : "") + ", r=" + rank + ", alpha=" + alpha
                + (dropout > 0 ? ", dropout=" + dropout : "");
    }

    /** One factor of the update, a bias-free linear map with its matrix under the name {@code weight}, as PEFT's. */
    static final class Factor extends Module {
        Factor(Tensor weight) {
            registerParameter("weight", weight);
        }

        /** {@code [..., cols] -> [..., rows]}. */
        @Override
        public Tensor forward(Tensor input) {
            return Functional.linear(input, weight(), null);
        }

        Tensor weight() {
            return parameter("weight");
        }

        @Override
        protected String extraRepr() {
            return "in=" + weight().size(1) + ", out=" + weight().size(0);
        }
    }
}
