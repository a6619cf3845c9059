package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The op test suite of issue 2, run against one backend: a subclass supplies {@link #backend()}.
 *
 * <ul>
 *   <li>every op sample of {@link OpCases} forward against its float64 reference, and backward
 *       (gradients of inputs and parameters) against central finite differences of that reference;</li>
 *   <li>the checks mixed in from the {@code *Checks} interfaces: worked examples and output sizes,
 *       error messages, autograd semantics, dropout, batch-norm statistics, broadcasting and empty-tensor edge
 *       cases, determinism and a 1,000-step leak test.</li>
 * </ul>
 *
 * Every test must leave {@link Backend#bytesInUse()} where it found it, and leave no tensor to
 * the garbage-collection safety net ({@link Tensor#leakedCount()}, checked after a collection,
 * since an unclosed tensor that became unreachable may already have given its memory back).
 */
public abstract class OpSuite implements OutputSizeChecks, ErrorChecks, AutogradChecks, DropoutChecks, BatchNormChecks,
        BroadcastChecks, EmptyTensorChecks, DeterminismChecks, LeakChecks, ShapingChecks, SlicingChecks, JoiningChecks,
        UnaryChecks, DTypeChecks, LayerNormChecks, TorchLayersParityChecks, AttentionChecks,
        MultiheadAttentionChecks, SelectionChecks, DTypeMovementChecks, MaskChecks, CrossEntropyChecks, IndexingChecks,
        IndexParityChecks, TransformerParityChecks {
    private Long bytesBefore;
    private long leakedBefore;

    /** The backend under test; the same instance for every test of the class. */
    @Override
    public abstract Backend backend();

    @BeforeEach
    void recordMemory() {
        bytesBefore = null;
        Backend b = backend();
        b.synchronize();
        bytesBefore = b.bytesInUse();
        leakedBefore = Tensor.leakedCount();
    }

    @AfterEach
    void memoryReturned() {
        if (bytesBefore == null) return; // the test never started (an assumption aborted it)
        Backend b = backend();
        b.synchronize();
        assertEquals(bytesBefore, b.bytesInUse(), "bytes in use on " + b.name() + " changed: a tensor outlived its scope");
        Garbage.collect();
        assertEquals(leakedBefore, Tensor.leakedCount(), "tensors were freed by the garbage-collection safety net: never closed");
    }

    /** Tensors leaked before this class ran (by other tests in the JVM) are collected and counted first. */
    @BeforeAll
    static void collectEarlierLeaks() {
        Garbage.collect();
    }

    /** Each sample's output against the float64 reference. */
    @TestFactory
    Stream<DynamicTest> forwardMatchesFloat64Reference() {
        return OpCases.all().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            OpCase.Result r = c.run(backend(), null);
            Nd expected = c.reference();
            assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(r.shape()), c.name() + ": output shape");
            Compare.assertClose(c.name(), expected, r.output(), c.forwardTol());
        }));
    }

    /**
     * Each sample's gradients for every differentiable input (data and parameters) against
     * central differences of the reference, for the loss {@code sum(R * output)} with a random R.
     */
    @TestFactory
    Stream<DynamicTest> gradientsMatchFiniteDifferences() {
        return OpCases.all().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Nd[] inputs = c.inputs();
            int[] outShape = c.reference().shape();
            Nd projection = new Inputs(c.name().hashCode()).uniform(outShape);
            OpCase.Result r = c.run(backend(), projection);
            for (int i = 0; i < inputs.length; i++) {
                if (!c.differentiable(i)) {
                    assertNull(r.grads()[i], c.name() + ": input " + i + " does not require grad but got one");
                    continue;
                }
                if (r.grads()[i] == null) throw new AssertionError(c.name() + ": no gradient for input " + i);
                if (c.isDirectional()) {
                    checkDirections(c, inputs, i, projection, r.grads()[i]);
                } else {
                    Nd expected = GradCheck.gradient(c.referenceOp(), inputs, i, projection);
                    Compare.assertClose(c.name() + ": d loss / d input " + i, expected, r.grads()[i], c.gradientTol());
                }
            }
        }));
    }

    /**
     * {@code <grad, v>} against the reference's directional derivative for three random v; the
     * tolerance scales with {@code sum |grad_j v_j|}, the size of the terms the dot product adds.
     */
    private static void checkDirections(OpCase c, Nd[] inputs, int i, Nd projection, float[] grad) {
        for (int d = 0; d < 3; d++) {
            Nd v = new Inputs(31L * d + i).uniform(inputs[i].shape());
            double expected = GradCheck.directional(c.referenceOp(), inputs, i, projection, v);
            double actual = 0, scale = 0;
            for (int j = 0; j < grad.length; j++) {
                actual += grad[j] * v.at(j);
                scale += Math.abs(grad[j] * v.at(j));
            }
            double allowed = c.gradientTol().atol() + c.gradientTol().rtol() * scale;
            if (!(Math.abs(actual - expected) <= allowed)) {
                throw new AssertionError(String.format("%s: d loss / d input %d along random direction %d: <grad, v> = %.9g, "
                        + "finite difference %.9g, |diff| %.3g > allowed %.3g (%s)", c.name(), i, d, actual, expected,
                        Math.abs(actual - expected), allowed, c.gradientTol().why()));
            }
        }
    }
}
