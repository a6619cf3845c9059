package dev.kiln.testing;

import dev.kiln.ops.Functional;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * batch_norm outputs and gradients: training (batch statistics) over [N, C] and [N, C, H, W]
 * with and without gamma/beta, eval with running statistics, and eval without them (batch
 * statistics). The running-statistics update is checked separately.
 */
final class NormCases {
    private NormCases() {}

    private static final float EPS = 1e-5f;

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        long seed = 800;
        for (int[] s : new int[][] {{4, 3}, {2, 3, 4, 5}, {1, 2, 3, 3}, {5, 1}}) {
            Inputs in = new Inputs(seed++);
            int c = s[1];
            cases.add(OpCase.named("batch_norm training x" + Arrays.toString(s) + " affine")
                    .input(in.between(-2, 2, s)).input(in.between(0.5, 1.5, c)).input(in.uniform(c))
                    .kiln((b, t) -> Functional.batchNorm(t[0], null, null, t[1], t[2], true, 0.1f, EPS))
                    .ref(r -> RefNorm.train(r[0], r[1], r[2], EPS)));
            cases.add(OpCase.named("batch_norm training x" + Arrays.toString(s) + " no affine")
                    .input(in.between(-2, 2, s))
                    .kiln((b, t) -> Functional.batchNorm(t[0], null, null, null, null, true, 0.1f, EPS))
                    .ref(r -> RefNorm.train(r[0], null, null, EPS)));
            cases.add(OpCase.named("batch_norm eval x" + Arrays.toString(s) + " running statistics")
                    .input(in.between(-2, 2, s)).input(in.between(0.5, 1.5, c)).input(in.uniform(c))
                    .constant(in.between(-0.5, 0.5, c)).constant(in.between(0.5, 2, c))
                    .kiln((b, t) -> Functional.batchNorm(t[0], t[3], t[4], t[1], t[2], false, 0.1f, EPS))
                    .ref(r -> RefNorm.eval(r[0], r[3], r[4], r[1], r[2], EPS)));
        }
        Inputs in = new Inputs(seed);
        cases.add(OpCase.named("batch_norm training x[3, 2, 3, 2] with constant gamma and beta")
                .input(in.between(-2, 2, 3, 2, 3, 2)).constant(in.between(0.5, 1.5, 2)).constant(in.uniform(2))
                .kiln((b, t) -> Functional.batchNorm(t[0], null, null, t[1], t[2], true, 0.1f, EPS))
                .ref(r -> RefNorm.train(r[0], r[1], r[2], EPS)));
        cases.add(OpCase.named("batch_norm eval x[2, 3] with constant input, running statistics").constant(in.uniform(2, 3))
                .input(in.between(0.5, 1.5, 3)).input(in.uniform(3)).constant(in.uniform(3)).constant(in.between(0.5, 2, 3))
                .kiln((b, t) -> Functional.batchNorm(t[0], t[3], t[4], t[1], t[2], false, 0.1f, EPS))
                .ref(r -> RefNorm.eval(r[0], r[3], r[4], r[1], r[2], EPS)));
        cases.add(OpCase.named("batch_norm eval x[3, 2, 2, 2] without running statistics (batch statistics)")
                .input(in.between(-2, 2, 3, 2, 2, 2)).input(in.between(0.5, 1.5, 2)).input(in.uniform(2))
                .kiln((b, t) -> Functional.batchNorm(t[0], null, null, t[1], t[2], false, 0.1f, EPS))
                .ref(r -> RefNorm.train(r[0], r[1], r[2], EPS)));
        return cases;
    }
}
