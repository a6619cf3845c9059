package dev.kiln.testing;

/**
 * Central finite differences in float64 over a reference: the gradient of the scalar
 * {@code L = sum(R * f(inputs))} for a fixed random projection R (so every output element
 * contributes) with respect to one input, {@code dL/dx_j ~ (L(x + h e_j) - L(x - h e_j)) / 2h}.
 */
public final class GradCheck {
    /** Step: the error of a central difference is O(h^2 f''') + O(ulp / h); 1e-6 balances them in float64 (PyTorch's gradcheck default). */
    public static final double STEP = 1e-6;

    private GradCheck() {}

    /** d(sum(projection * ref(inputs))) / d inputs[which], shaped like that input. */
    public static Nd gradient(OpCase.RefOp ref, Nd[] inputs, int which, Nd projection) {
        Nd[] in = inputs.clone();
        in[which] = inputs[which].copy();
        double[] x = in[which].data();
        Nd g = Nd.zeros(in[which].shape());
        for (int j = 0; j < x.length; j++) {
            double saved = x[j];
            x[j] = saved + STEP;
            double plus = project(ref.apply(in), projection);
            x[j] = saved - STEP;
            double minus = project(ref.apply(in), projection);
            x[j] = saved;
            g.data()[j] = (plus - minus) / (2 * STEP);
        }
        return g;
    }

    /**
     * The directional derivative {@code (L(x + h v) - L(x - h v)) / 2h} of {@code L = sum(projection * ref)}
     * along {@code direction} for input {@code which}: what {@code <grad, v>} must equal. Two
     * reference evaluations, whatever the input's size.
     */
    public static double directional(OpCase.RefOp ref, Nd[] inputs, int which, Nd projection, Nd direction) {
        Nd[] in = inputs.clone();
        Nd x = inputs[which];
        Nd moved = x.copy();
        in[which] = moved;
        for (int j = 0; j < x.numel(); j++) moved.data()[j] = x.at(j) + STEP * direction.at(j);
        double plus = project(ref.apply(in), projection);
        for (int j = 0; j < x.numel(); j++) moved.data()[j] = x.at(j) - STEP * direction.at(j);
        double minus = project(ref.apply(in), projection);
        return (plus - minus) / (2 * STEP);
    }

    private static double project(Nd y, Nd projection) {
        if (y.numel() != projection.numel()) throw new IllegalStateException("projection has " + projection.numel() + " values, output " + y.numel());
        double s = 0;
        for (int i = 0; i < y.numel(); i++) s += y.at(i) * projection.at(i);
        return s;
    }
}
