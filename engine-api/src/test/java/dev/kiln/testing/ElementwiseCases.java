package dev.kiln.testing;

import dev.kiln.ops.Functional;
import dev.kiln.ops.GeluApproximation;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

/**
 * Broadcasting add/sub/mul/div over shape pairs (equal, trailing, both sides broadcast, a
 * scalar [], rank differences), tensor-scalar ops, and the activations and elementwise functions.
 * Inputs avoid kinks (0 for relu/leaky relu/abs) and poles (0 for division).
 */
final class ElementwiseCases {
    private ElementwiseCases() {}

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        int[][][] pairs = {
            {{2, 3}, {2, 3}}, {{2, 3, 4}, {3, 1}}, {{4, 1}, {1, 5}}, {{}, {2, 3}}, {{2, 1, 3}, {2, 4, 1}}, {{5}, {2, 3, 5}}, {{1}, {1}}};
        long seed = 500;
        for (int[][] p : pairs) {
            cases.add(binary("add", seed++, p, Functional::add, Double::sum));
            cases.add(binary("sub", seed++, p, Functional::sub, (a, b) -> a - b));
            cases.add(binary("mul", seed++, p, Functional::mul, (a, b) -> a * b));
            cases.add(binary("div", seed++, p, Functional::div, (a, b) -> a / b));
        }
        cases.add(unary("add scalar 1.5", seed++, t -> t.add(1.5f), x -> x + 1.5));
        cases.add(unary("sub scalar 0.25", seed++, t -> t.sub(0.25f), x -> x - 0.25));
        cases.add(unary("mul scalar -2", seed++, t -> t.mul(-2f), x -> -2 * x));
        cases.add(unary("div scalar 4", seed++, t -> t.div(4f), x -> x / 4));
        cases.add(unary("pow 2", seed++, t -> t.pow(2f), x -> x * x));
        cases.add(unary("pow 3", seed++, t -> t.pow(3f), x -> x * x * x));
        cases.add(positive("pow 0.5", seed++, t -> t.pow(0.5f), Math::sqrt));
        cases.add(unary("rsub 3 - x", seed++, t -> Functional.rsub(t, 3f), x -> 3 - x));
        cases.add(awayFromZero("rdiv 2 / x", seed++, t -> Functional.rdiv(t, 2f), x -> 2 / x));
        cases.add(unary("neg", seed++, Tensor::neg, x -> -x));
        cases.add(awayFromZero("relu", seed++, Tensor::relu, RefMath::relu));
        cases.add(awayFromZero("leaky_relu 0.1", seed++, t -> t.leakyRelu(0.1f), x -> x > 0 ? x : (double) 0.1f * x));
        cases.add(awayFromZero("leaky_relu 0.3", seed++, t -> Functional.leakyRelu(t, 0.3f), x -> x > 0 ? x : (double) 0.3f * x));
        cases.add(wide("sigmoid", seed++, Tensor::sigmoid, RefMath::sigmoid));
        cases.add(wide("tanh", seed++, Tensor::tanh, Math::tanh));
        cases.add(wide("gelu", seed++, Tensor::gelu, RefMath::gelu));
        cases.add(wide("exp", seed++, Tensor::exp, Math::exp));
        cases.add(positive("log", seed++, Tensor::log, Math::log));
        cases.add(positive("sqrt", seed++, Tensor::sqrt, Math::sqrt));
        cases.add(awayFromZero("abs", seed++, Tensor::abs, Math::abs));
        cases.add(wide("gelu tanh", seed++, t -> t.gelu(GeluApproximation.TANH), ElementwiseCases::geluTanh));
        cases.add(wide("gelu none", seed++, t -> Functional.gelu(t, GeluApproximation.NONE), RefMath::gelu));
        cases.add(wide("silu", seed++, Tensor::silu, x -> x * RefMath.sigmoid(x)));
        cases.add(of("sin", new Inputs(seed++).between(-4, 4, 3, 5), Tensor::sin, Math::sin));
        cases.add(of("cos", new Inputs(seed++).between(-4, 4, 3, 5), Functional::cos, Math::cos));
        cases.add(positive("rsqrt", seed, Tensor::rsqrt, x -> 1 / Math.sqrt(x)));
        // Clamp inputs sit on a grid at least 0.07 from every bound: finite differences never straddle a kink.
        cases.add(of("clamp -0.5 0.8", grid(), t -> t.clamp(-0.5f, 0.8f), x -> Math.min(Math.max(x, -0.5), 0.8)));
        cases.add(of("clamp min 0.3", grid(), t -> t.clampMin(0.3f), x -> Math.max(x, 0.3)));
        cases.add(of("clamp max -0.6", grid(), t -> Functional.clampMax(t, -0.6f), x -> Math.min(x, -0.6)));
        cases.add(of("clamp min above max", grid(), t -> Functional.clamp(t, 0.5f, -0.5f), x -> -0.5));
        return cases;
    }

    /** GPT-2's GELU, {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, in double. */
    private static double geluTanh(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    /** 15 values from -2.05 in steps of 0.27, shaped [3, 5]. */
    private static Nd grid() {
        double[] v = new double[15];
        for (int i = 0; i < v.length; i++) v[i] = -2.05 + 0.27 * i;
        return new Nd(new int[] {3, 5}, v);
    }

    private static OpCase binary(String op, long seed, int[][] shapes, BinaryOperator<Tensor> kiln, DoubleBinaryOperator ref) {
        Inputs in = new Inputs(seed);
        Nd b = op.equals("div") ? in.awayFromZero(0.5, 2, shapes[1]) : in.uniform(shapes[1]);
        return OpCase.named(op + " " + Arrays.toString(shapes[0]) + " and " + Arrays.toString(shapes[1]))
                .input(in.uniform(shapes[0])).input(b)
                .kiln((be, t) -> kiln.apply(t[0], t[1]))
                .ref(r -> RefMath.binary(r[0], r[1], ref));
    }

    private static OpCase of(String name, Nd x, UnaryOperator<Tensor> kiln, DoubleUnaryOperator ref) {
        return OpCase.named(name + " x" + Arrays.toString(x.shape())).input(x)
                .kiln((b, t) -> kiln.apply(t[0]))
                .ref(r -> RefMath.map(r[0], ref));
    }

    private static OpCase unary(String name, long seed, UnaryOperator<Tensor> kiln, DoubleUnaryOperator ref) {
        return of(name, new Inputs(seed).between(-2, 2, 3, 5), kiln, ref);
    }

    /** Values in [-3, 3): the saturating ranges of sigmoid/tanh/gelu. */
    private static OpCase wide(String name, long seed, UnaryOperator<Tensor> kiln, DoubleUnaryOperator ref) {
        return of(name, new Inputs(seed).between(-3, 3, 2, 3, 4), kiln, ref);
    }

    private static OpCase positive(String name, long seed, UnaryOperator<Tensor> kiln, DoubleUnaryOperator ref) {
        return of(name, new Inputs(seed).between(0.2, 3, 4, 5), kiln, ref);
    }

    private static OpCase awayFromZero(String name, long seed, UnaryOperator<Tensor> kiln, DoubleUnaryOperator ref) {
        return of(name, new Inputs(seed).awayFromZero(0.05, 2, 3, 7), kiln, ref);
    }
}
