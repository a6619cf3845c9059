package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Batch norm's running statistics: in training they move towards the batch mean and the
 * unbiased batch variance by {@code momentum} (PyTorch's rule); eval leaves them alone.
 * (Outputs and gradients in both modes are op samples of the suite.)
 */
public interface BatchNormChecks extends BackendUnderTest {

    @Test
    default void trainingUpdatesRunningStatisticsWithMomentum() {
        Inputs in = new Inputs(21);
        Nd x1 = in.between(-2, 3, 4, 3, 2, 2), x2 = in.between(-1, 1, 4, 3, 2, 2);
        Nd mean0 = in.uniform(3), var0 = in.between(0.5, 2, 3);
        for (float momentum : new float[] {0.1f, 0f, 1f}) {
            try (var s = Kiln.scope()) {
                Tensor rm = tensor(mean0), rv = tensor(var0);
                Functional.batchNorm(tensor(x1), rm, rv, null, null, true, momentum, 1e-5f);
                Nd[] expected = update(mean0, var0, x1, momentum);
                Compare.assertClose("running_mean after one step, momentum " + momentum, expected[0], rm, Tolerances.STATISTICS);
                Compare.assertClose("running_var after one step, momentum " + momentum, expected[1], rv, Tolerances.STATISTICS);
                Functional.batchNorm(tensor(x2), rm, rv, null, null, true, momentum, 1e-5f);
                expected = update(expected[0], expected[1], x2, momentum);
                Compare.assertClose("running_mean after two steps, momentum " + momentum, expected[0], rm, Tolerances.STATISTICS);
                Compare.assertClose("running_var after two steps, momentum " + momentum, expected[1], rv, Tolerances.STATISTICS);
            }
        }
    }

    @Test
    default void evalLeavesRunningStatisticsAlone() {
        Inputs in = new Inputs(22);
        Nd mean0 = in.uniform(2), var0 = in.between(0.5, 2, 2);
        try (var s = Kiln.scope()) {
            Tensor rm = tensor(mean0), rv = tensor(var0);
            Functional.batchNorm(tensor(in.uniform(3, 2, 2, 2)), rm, rv, null, null, false, 0.1f, 1e-5f);
            assertArrayEquals(mean0.toFloats(), rm.toFloatArray());
            assertArrayEquals(var0.toFloats(), rv.toFloatArray());
        }
    }

    /** {@code running = (1 - m) * running + m * batch}, with the unbiased variance. */
    private static Nd[] update(Nd mean, Nd var, Nd x, double m) {
        RefNorm.Stats st = RefNorm.stats(x);
        Nd newMean = mean.copy(), newVar = var.copy();
        for (int c = 0; c < mean.numel(); c++) {
            newMean.data()[c] = (1 - m) * mean.at(c) + m * st.mean()[c];
            newVar.data()[c] = (1 - m) * var.at(c) + m * st.unbiased(c);
        }
        return new Nd[] {newMean, newVar};
    }
}
