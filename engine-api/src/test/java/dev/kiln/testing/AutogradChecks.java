package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Autograd semantics: accumulation across backward calls, noGrad, detach and how requiresGrad propagates. */
public interface AutogradChecks extends BackendUnderTest {

    /** A second backward adds to the leaf gradient; zeroGrad clears it. */
    @Test
    default void gradientsAccumulateAcrossBackwardCalls() {
        try (var s = Kiln.scope()) {
            Nd xv = new Inputs(1).uniform(2, 3), wv = new Inputs(2).uniform(2, 3);
            Tensor x = tensor(xv), w = tensor(wv).requiresGrad(true);
            x.mul(w).sum().backward();
            float[] first = w.grad().toFloatArray();
            assertArrayEquals(xv.toFloats(), first, "d sum(x*w)/dw = x");
            x.mul(w).sum().backward();
            float[] twice = w.grad().toFloatArray();
            for (int i = 0; i < first.length; i++) assertTrue(twice[i] == 2 * first[i], "element " + i + ": " + twice[i] + " != 2 * " + first[i]);
            w.zeroGrad();
            assertNull(w.grad());
            x.mul(w).sum().backward();
            assertArrayEquals(first, w.grad().toFloatArray(), "after zeroGrad, one backward gives the single gradient again");
        }
    }

    /** A tensor used on several paths of one graph receives the sum of their gradients: d(w*w + 3w)/dw = 2w + 3. */
    @Test
    default void gradientsOfSharedInputsAreSummed() {
        try (var s = Kiln.scope()) {
            Nd wv = new Inputs(3).uniform(4);
            Tensor w = tensor(wv).requiresGrad(true);
            w.mul(w).add(w.mul(3f)).sum().backward();
            Compare.assertClose("d(w*w + 3w)/dw", RefMath.map(wv, v -> 2 * v + 3), w.grad(), Tolerances.FORWARD);
        }
    }

    @Test
    default void noGradRecordsNothing() {
        try (var s = Kiln.scope()) {
            Tensor w = tensor(new Inputs(4).uniform(3)).requiresGrad(true);
            Tensor y;
            try (var off = Kiln.noGrad()) {
                y = w.mul(2f).relu().sum();
            }
            assertFalse(y.requiresGrad(), "output computed under noGrad requires grad");
            assertNull(y.gradFn());
            assertTrue(y.isLeaf());
            assertThrows(IllegalStateException.class, y::backward);
            Tensor z = w.mul(2f).sum();
            assertTrue(z.requiresGrad(), "recording resumes after the noGrad scope closes");
            z.backward();
            assertArrayEquals(new float[] {2, 2, 2}, w.grad().toFloatArray());
        }
    }

    @Test
    default void detachCutsTheGraph() {
        try (var s = Kiln.scope()) {
            Nd wv = new Inputs(5).uniform(2, 2);
            Tensor w = tensor(wv).requiresGrad(true);
            Tensor d = w.mul(3f).detach();
            assertFalse(d.requiresGrad());
            assertNull(d.gradFn());
            assertArrayEquals(RefMath.map(wv, v -> 3 * v).toFloats(), d.toFloatArray());
            // y = sum(d * w): only the direct path counts, so dy/dw = d = 3w (not 6w).
            d.mul(w).sum().backward();
            Compare.assertClose("d sum(detach(3w) * w)/dw", RefMath.map(wv, v -> 3 * v), w.grad(), Tolerances.FORWARD);
            assertNull(d.grad());
        }
    }

    @Test
    default void requiresGradPropagates() {
        try (var s = Kiln.scope()) {
            Tensor a = tensor(new float[] {1, 2}, 2), b = tensor(new float[] {3, 4}, 2).requiresGrad(true);
            Tensor c = tensor(new float[] {5, 6}, 2);
            assertFalse(a.requiresGrad());
            assertTrue(b.isLeaf());
            Tensor ab = a.add(b);
            assertTrue(ab.requiresGrad(), "an op with one input requiring grad requires grad");
            assertFalse(ab.isLeaf());
            assertNotNull(ab.gradFn());
            Tensor ac = a.mul(c);
            assertFalse(ac.requiresGrad(), "an op with no input requiring grad does not");
            assertNull(ac.gradFn());
            assertThrows(IllegalStateException.class, () -> ab.requiresGrad(false), "a non-leaf cannot stop requiring grad");
            assertThrows(IllegalStateException.class, () -> Tensor.fromInts(backend(), new int[] {1}, 1).requiresGrad(true));
            ab.mul(ac).sum().backward();
            assertNull(a.grad(), "a leaf that does not require grad gets no gradient");
            assertArrayEquals(new float[] {5, 12}, b.grad().toFloatArray(), "d sum((a+b)*(a*c))/db = a*c");
            assertNull(ab.grad(), "non-leaf tensors keep no gradient");
        }
    }

    @Test
    default void backwardNeedsAScalarOrAGradient() {
        try (var s = Kiln.scope()) {
            Tensor w = tensor(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
            Tensor y = w.mul(2f);
            assertThrows(IllegalStateException.class, y::backward);
            assertThrows(IllegalArgumentException.class, () -> y.backward(tensor(new float[] {1, 1}, 2)));
            y.backward(tensor(new float[] {1, 0, 0, 1}, 2, 2));
            assertArrayEquals(new float[] {2, 0, 0, 2}, w.grad().toFloatArray());
        }
    }

    /** Like PyTorch without retain_graph: the first backward frees the graph, a second one through it fails and changes nothing. */
    @Test
    default void backwardTwiceThroughTheSameGraphFails() {
        try (var s = Kiln.scope()) {
            Tensor w = tensor(new float[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor loss = w.mul(w).sum();
            loss.backward();
            assertArrayEquals(new float[] {2, 4, 6}, w.grad().toFloatArray(), "d sum(w*w)/dw = 2w");
            IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
            assertTrue(e.getMessage().contains("second time") && e.getMessage().contains("retainGraph"), e.getMessage());
            assertArrayEquals(new float[] {2, 4, 6}, w.grad().toFloatArray(), "the refused backward added nothing");
            w.mul(w).sum().backward();
            assertArrayEquals(new float[] {4, 8, 12}, w.grad().toFloatArray(), "a new forward pass backpropagates again");
        }
    }

    /** Backward through a graph whose intermediate tensors a scope already freed fails instead of silently skipping them. */
    @Test
    default void backwardAfterTheGraphWasClosedFails() {
        try (var s = Kiln.scope()) {
            Tensor w = tensor(new float[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor loss;
            try (var step = Kiln.scope()) {
                loss = w.mul(2f).mul(w).sum().keep();
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertNull(w.grad());
        }
    }

    /** Only leaves can change requiresGrad (PyTorch: "you can only change requires_grad flags of leaf variables"). */
    @Test
    default void requiresGradCanOnlyBeSetOnLeaves() {
        try (var s = Kiln.scope()) {
            Tensor w = tensor(new float[] {1, 2}, 2).requiresGrad(true);
            Tensor y = w.mul(3f);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.requiresGrad(true));
            assertTrue(e.getMessage().contains("leaf"), e.getMessage());
            assertTrue(w.requiresGrad(false).requiresGrad(true).requiresGrad(), "a leaf can switch both ways");
        }
    }
}
