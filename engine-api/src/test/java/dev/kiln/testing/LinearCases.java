package dev.kiln.testing;

import dev.kiln.ops.Functional;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * matmul over every rank combination (2-D, batched, a shared 2-D operand on either side),
 * transposed operands, linear with and without bias (2-D and 3-D inputs), and bias add by
 * broadcasting (per feature and per channel of NCHW).
 */
final class LinearCases {
    private LinearCases() {}

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        int[][][] pairs = {
            {{3, 5}, {5, 4}}, {{1, 1}, {1, 1}}, {{4, 1}, {1, 3}}, {{1, 7}, {7, 1}},
            {{2, 3, 4}, {2, 4, 5}}, {{3, 2, 5}, {5, 3}}, {{4, 3}, {2, 3, 2}}, {{1, 3, 2}, {1, 2, 3}}};
        long seed = 400;
        for (int[][] p : pairs) {
            Inputs in = new Inputs(seed++);
            cases.add(OpCase.named("matmul " + Arrays.toString(p[0]) + " @ " + Arrays.toString(p[1]))
                    .input(in.uniform(p[0])).input(in.uniform(p[1]))
                    .kiln((b, t) -> Functional.matmul(t[0], t[1]))
                    .ref(r -> RefMath.matmul(r[0], r[1])));
        }
        Inputs in = new Inputs(seed);
        cases.add(OpCase.named("matmul a^T @ b: [5, 3]^T @ [5, 4]").input(in.uniform(5, 3)).input(in.uniform(5, 4))
                .kiln((b, t) -> t[0].transpose(0, 1).matmul(t[1]))
                .ref(r -> RefMath.matmul(RefMath.transpose(r[0]), r[1])));
        cases.add(OpCase.named("matmul a @ b^T: [3, 5] @ [4, 5]^T").input(in.uniform(3, 5)).input(in.uniform(4, 5))
                .kiln((b, t) -> t[0].matmul(t[1].transpose(-1, -2)))
                .ref(r -> RefMath.matmul(r[0], RefMath.transpose(r[1]))));
        cases.add(OpCase.named("matmul a^T @ b^T: [6, 2]^T @ [3, 6]^T").input(in.uniform(6, 2)).input(in.uniform(3, 6))
                .kiln((b, t) -> t[0].transpose(0, 1).matmul(t[1].transpose(0, 1)))
                .ref(r -> RefMath.matmul(RefMath.transpose(r[0]), RefMath.transpose(r[1]))));
        cases.add(linear(in, new int[] {4, 6}, 3, true));
        cases.add(linear(in, new int[] {1, 5}, 2, false));
        cases.add(linear(in, new int[] {2, 3, 4}, 5, true));
        cases.add(linear(in, new int[] {7, 1}, 1, true));
        cases.add(OpCase.named("bias add [3, 4] + [4]").input(in.uniform(3, 4)).input(in.uniform(4))
                .kiln((b, t) -> t[0].add(t[1]))
                .ref(r -> RefMath.binary(r[0], r[1], Double::sum)));
        cases.add(OpCase.named("bias add [2, 3, 4, 5] + [1, 3, 1, 1]").input(in.uniform(2, 3, 4, 5)).input(in.uniform(3))
                .kiln((b, t) -> t[0].add(t[1].reshape(1, 3, 1, 1)))
                .ref(r -> RefMath.binary(r[0], new Nd(new int[] {1, 3, 1, 1}, r[1].data()), Double::sum)));
        return cases;
    }

    private static OpCase linear(Inputs in, int[] xShape, int out, boolean bias) {
        int features = xShape[xShape.length - 1];
        OpCase c = OpCase.named("linear x" + Arrays.toString(xShape) + " -> " + out + (bias ? " +bias" : ""))
                .input(in.uniform(xShape)).input(in.uniform(out, features));
        if (bias) {
            return c.input(in.uniform(out)).kiln((b, t) -> Functional.linear(t[0], t[1], t[2])).ref(r -> RefMath.linear(r[0], r[1], r[2]));
        }
        return c.kiln((b, t) -> Functional.linear(t[0], t[1], null)).ref(r -> RefMath.linear(r[0], r[1], null));
    }
}
