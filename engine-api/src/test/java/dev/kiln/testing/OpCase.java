package dev.kiln.testing;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One sample of one op (PyTorch's OpInfo sample): named float64 inputs, which of them get
 * gradients, the op through Kiln's public API, and its float64 reference. The same case drives
 * the forward test, the gradient check and the cross-backend parity test.
 */
public final class OpCase {
    /** The op through Kiln's public API, on tensors already on {@code backend}. */
    @FunctionalInterface
    public interface KilnOp {
        Tensor apply(Backend backend, Tensor[] in);
    }

    /** The float64 reference of the same op. */
    @FunctionalInterface
    public interface RefOp {
        Nd apply(Nd[] in);
    }

    /** Outputs of one run on a backend: the forward values and, after a backward, each input's gradient (null where none). */
    public record Result(int[] shape, float[] output, float[][] grads) {}

    private String name;
    private final List<Nd> inputs = new ArrayList<>();
    private final List<Boolean> differentiable = new ArrayList<>();
    private KilnOp kiln;
    private RefOp ref;
    private Tolerances.Tol forwardTol = Tolerances.FORWARD;
    private Tolerances.Tol gradientTol = Tolerances.GRADIENT;
    private boolean directional;

    private OpCase(String name) {
        this.name = name;
    }

    /** A new case; add inputs, then the op and its reference. */
    public static OpCase named(String name) {
        return new OpCase(name);
    }

    /** An input whose gradient is checked. */
    public OpCase input(Nd x) {
        inputs.add(x);
        differentiable.add(true);
        return this;
    }

    /** An input passed without requiring a gradient (targets, running statistics). */
    public OpCase constant(Nd x) {
        inputs.add(x);
        differentiable.add(false);
        return this;
    }

    /** Makes input {@code i} a constant: it is passed without requiring a gradient. */
    public OpCase asConstant(int i) {
        differentiable.set(i, false);
        name = name + " (input " + i + " constant)";
        return this;
    }

    /** The op through Kiln's public API. */
    public OpCase kiln(KilnOp op) {
        this.kiln = op;
        return this;
    }

    /** The op's float64 reference. */
    public OpCase ref(RefOp op) {
        this.ref = op;
        return this;
    }

    /** Replaces the default tolerances (give the reason in the case's source). */
    public OpCase tolerances(Tolerances.Tol forward, Tolerances.Tol gradient) {
        this.forwardTol = forward;
        this.gradientTol = gradient;
        return this;
    }

    /**
     * Marks a large sample (GEMM blocks, many channels): its gradients are checked along a few
     * random directions ({@link GradCheck#directional}) instead of element by element.
     */
    public OpCase directional() {
        this.directional = true;
        return this;
    }

    /** True when gradients are checked along random directions only. */
    public boolean isDirectional() {
        return directional;
    }

    /** A description naming the op, shapes and options. */
    public String name() {
        return name;
    }

    /** Tolerance of the output against the reference. */
    public Tolerances.Tol forwardTol() {
        return forwardTol;
    }

    /** Tolerance of the gradients against finite differences. */
    public Tolerances.Tol gradientTol() {
        return gradientTol;
    }

    /** Copies of the inputs. */
    public Nd[] inputs() {
        Nd[] in = new Nd[inputs.size()];
        for (int i = 0; i < in.length; i++) in[i] = inputs.get(i).copy();
        return in;
    }

    /** Whether input {@code i} requires (and gets) a gradient. */
    public boolean differentiable(int i) {
        return differentiable.get(i);
    }

    /** Number of inputs. */
    public int inputCount() {
        return inputs.size();
    }

    /** The reference output. */
    public Nd reference() {
        return ref.apply(inputs());
    }

    /** The reference itself, for gradient checks. */
    public RefOp referenceOp() {
        return ref;
    }

    /**
     * Runs the op on {@code backend} inside a scope. With a {@code projection} (the output's
     * shape), also backpropagates {@code sum(projection * output)} and collects the gradients.
     */
    public Result run(Backend backend, Nd projection) {
        try (var scope = Kiln.scope()) {
            Tensor[] in = new Tensor[inputs.size()];
            for (int i = 0; i < in.length; i++) {
                in[i] = Tensor.fromArray(backend, inputs.get(i).toFloats(), inputs.get(i).shape());
                if (projection != null && differentiable.get(i)) in[i].requiresGrad(true);
            }
            Tensor y = kiln.apply(backend, in);
            float[][] grads = new float[in.length][];
            if (projection != null) {
                y.backward(Tensor.fromArray(backend, projection.toFloats(), projection.shape()));
                for (int i = 0; i < in.length; i++) grads[i] = in[i].grad() == null ? null : in[i].grad().toFloatArray();
            }
            return new Result(y.shape(), y.toFloatArray(), grads);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
