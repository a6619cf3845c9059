package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.nn.GELU;
import dev.kiln.ops.Functional;
import dev.kiln.ops.GeluApproximation;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * clamp, sin, cos, rsqrt, silu and tanh-GELU beyond the smooth cases of {@link ElementwiseCases}:
 * clamp's gradient at the bounds (PyTorch's: 1, the bounds are inside), NaN passing through,
 * a lower bound above the upper one, and the errors.
 */
public interface UnaryChecks extends BackendUnderTest {

    /** torch.clamp(x, -0.5, 0.8).sum().backward() gives 1 at x == -0.5 and x == 0.8, 0 strictly outside. */
    @Test
    default void clampGradientIsOneAtTheBounds() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[] {-1f, -0.5f, 0f, 0.8f, 2f}, 5).requiresGrad(true);
            Tensor y = x.clamp(-0.5f, 0.8f);
            assertArrayEquals(new float[] {-0.5f, -0.5f, 0f, 0.8f, 0.8f}, y.toFloatArray());
            y.sum().backward();
            assertArrayEquals(new float[] {0f, 1f, 1f, 1f, 0f}, x.grad().toFloatArray());
        }
    }

    /** min above max: every element is max and no gradient flows (torch.clamp's order: max applied last). */
    @Test
    default void clampWithMinAboveMaxGivesMax() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[] {-3f, 0.2f, 3f}, 3).requiresGrad(true);
            Tensor y = x.clamp(1f, -1f);
            assertArrayEquals(new float[] {-1f, -1f, -1f}, y.toFloatArray());
            y.sum().backward();
            assertArrayEquals(new float[] {0f, 0f, 0f}, x.grad().toFloatArray());
        }
    }

    @Test
    default void clampKeepsNaNAndInfinities() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[] {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY}, 3);
            float[] y = x.clamp(-2f, 2f).toFloatArray();
            assertTrue(Float.isNaN(y[0]), "clamp(NaN) is NaN, got " + y[0]);
            assertEquals(-2f, y[1]);
            assertEquals(2f, y[2]);
        }
    }

    /** Worked values: rsqrt(4) = 0.5, rsqrt(0) = +inf, sin(pi/2) = 1, cos(0) = 1, silu(0) = 0, tanh-GELU(1) from the formula. */
    @Test
    default void workedValues() {
        try (var s = Kiln.scope()) {
            float[] r = tensor(new float[] {4f, 0f, 0.25f}, 3).rsqrt().toFloatArray();
            assertEquals(0.5f, r[0], 1e-6f);
            assertEquals(Float.POSITIVE_INFINITY, r[1]);
            assertEquals(2f, r[2], 1e-6f);
            assertEquals(1f, tensor(new float[] {(float) (Math.PI / 2)}, 1).sin().toFloatArray()[0], 1e-6f);
            assertEquals(1f, tensor(new float[] {0f}, 1).cos().toFloatArray()[0], 1e-6f);
            assertEquals(0f, tensor(new float[] {0f}, 1).silu().toFloatArray()[0], 0f);
            // 0.5 (1 + tanh(0.7978845608 * 1.044715)) = 0.8411919906
            assertEquals(0.8411920f, tensor(new float[] {1f}, 1).gelu(GeluApproximation.TANH).toFloatArray()[0], 1e-6f);
            assertEquals(0.8413447f, tensor(new float[] {1f}, 1).gelu().toFloatArray()[0], 1e-6f);
        }
    }

    @Test
    default void geluModuleTakesTheApproximation() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[] {1f}, 1);
            assertEquals(0.8411920f, new GELU(GeluApproximation.TANH).forward(x).toFloatArray()[0], 1e-6f);
            assertEquals(0.8413447f, new GELU().forward(x).toFloatArray()[0], 1e-6f);
            assertEquals("GELU(approximate='tanh')", new GELU(GeluApproximation.TANH).toString());
        }
    }

    @Test
    default void unaryErrors() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[] {1f, 2f}, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.clamp(Float.NaN, 1f));
            assertTrue(e.getMessage().contains("clamp") && e.getMessage().contains("min") && e.getMessage().contains("NaN"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> x.clampMax(Float.NaN));
            assertTrue(e.getMessage().contains("clamp") && e.getMessage().contains("max") && e.getMessage().contains("NaN"), e.getMessage());
            NullPointerException n = assertThrows(NullPointerException.class, () -> Functional.gelu(x, null));
            assertTrue(n.getMessage().contains("gelu") && n.getMessage().contains("approximate"), n.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> tensor(new float[] {1f, 2f}, 2).var(0, -1, false));
            assertTrue(e.getMessage().equals("var: correction must be >= 0, got -1"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> tensor(new float[] {1f, 2f}, 2).std(1, 1, false));
            assertTrue(e.getMessage().startsWith("std: "), e.getMessage());
            Tensor ints = Tensor.fromInts(backend(), new int[] {1, 2}, 2);
            for (String op : new String[] {"sin", "cos", "rsqrt", "silu", "gelu", "clamp"}) {
                e = assertThrows(IllegalArgumentException.class, () -> byName(op, ints));
                assertTrue(e.getMessage().startsWith(op + ": expected FLOAT32"), e.getMessage());
            }
        }
    }

    /** The op named {@code op} applied to {@code t}. */
    private static Tensor byName(String op, Tensor t) {
        return switch (op) {
            case "sin" -> t.sin();
            case "cos" -> t.cos();
            case "rsqrt" -> t.rsqrt();
            case "silu" -> t.silu();
            case "gelu" -> t.gelu(GeluApproximation.TANH);
            default -> t.clamp(0f, 1f);
        };
    }
}
