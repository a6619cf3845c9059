package dev.kiln.testing;

import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * softmax and log-softmax along every kind of axis (first, middle, last, negative) including
 * large logits (the max must be subtracted), cross-entropy for each reduction with label
 * smoothing 0, 0.1 and 1, batch 1 and a single class, and mse for each reduction.
 */
final class SoftmaxLossCases {
    private SoftmaxLossCases() {}

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        Object[][] samples = {{new int[] {3, 5}, 1}, {new int[] {3, 5}, 0}, {new int[] {2, 3, 4}, 1}, {new int[] {2, 3, 4}, -1}, {new int[] {1, 1}, 1}};
        long seed = 700;
        for (Object[] s : samples) {
            int[] shape = (int[]) s[0];
            int dim = (Integer) s[1];
            for (boolean log : new boolean[] {false, true}) {
                cases.add(OpCase.named((log ? "log_softmax" : "softmax") + " x" + Arrays.toString(shape) + " dim " + dim)
                        .input(new Inputs(seed++).between(-3, 3, shape))
                        .kiln((b, t) -> log ? t[0].logSoftmax(dim) : t[0].softmax(dim))
                        .ref(r -> RefLoss.softmax(r[0], dim, log)));
            }
        }
        // Logits near 60: exp overflows float32 past ~88, so only a max-shifted softmax is finite and accurate.
        cases.add(OpCase.named("log_softmax of large logits x[2, 4] dim 1").input(new Inputs(seed++).between(58, 62, 2, 4))
                .kiln((b, t) -> t[0].logSoftmax(1)).ref(r -> RefLoss.softmax(r[0], 1, true)));
        int[][] ceShapes = {{4, 5}, {1, 3}, {3, 1}, {6, 2}};
        float[] smoothings = {0f, 0.1f, 1f};
        for (int[] s : ceShapes) {
            for (Reduction reduction : Reduction.values()) {
                for (float ls : smoothings) {
                    Inputs in = new Inputs(seed++);
                    Nd logits = in.between(-2, 2, s);
                    int[] targets = in.ints(s[0], s[1]);
                    cases.add(OpCase.named("cross_entropy logits" + Arrays.toString(s) + " targets " + Arrays.toString(targets)
                                    + " " + reduction + " label_smoothing " + ls)
                            .input(logits)
                            .kiln((b, t) -> Functional.crossEntropy(t[0], Tensor.fromInts(b, targets, s[0]), reduction, ls))
                            .ref(r -> RefLoss.crossEntropy(r[0], targets, reduction, ls)));
                }
            }
        }
        for (int[] s : new int[][] {{3, 4}, {2, 3, 2, 2}}) {
            for (Reduction reduction : Reduction.values()) {
                Inputs in = new Inputs(seed++);
                cases.add(OpCase.named("mse_loss x" + Arrays.toString(s) + " " + reduction)
                        .input(in.uniform(s)).input(in.uniform(s))
                        .kiln((b, t) -> Functional.mseLoss(t[0], t[1], reduction))
                        .ref(r -> RefLoss.mse(r[0], r[1], reduction)));
            }
        }
        return cases;
    }
}
