package dev.kiln.testing;

import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cross-entropy as a sequence model uses it: per-position logits {@code [N, C, d1, ...]} against
 * targets {@code [N, d1, ...]}, INT64 and INT32 targets, positions ignored by the default
 * {@code ignoreIndex} (-100) and by one inside [0, C), every reduction with and without label
 * smoothing, and a single unbatched sample {@code [C]} with a target {@code []}.
 */
final class CrossEntropyCases {
    private CrossEntropyCases() {}

    /** Logits shape, targets (flat), ignore index. */
    private record Sample(int[] logits, long[] targets, long ignoreIndex) {}

    static List<OpCase> all() {
        List<Sample> samples = List.of(
                new Sample(new int[] {2, 4, 3}, new long[] {0, -100, 3, 2, 1, -100}, -100),
                new Sample(new int[] {2, 3, 2, 2}, new long[] {2, 0, -100, 1, 1, -100, -100, 0}, -100),
                new Sample(new int[] {5, 4}, new long[] {0, 3, 0, 2, 1}, 0), // ignore index inside [0, C): padding class 0
                new Sample(new int[] {1, 3, 5}, new long[] {2, 2, 0, 1, -100}, -100),
                new Sample(new int[] {6}, new long[] {4}, -100));
        List<OpCase> cases = new ArrayList<>();
        long seed = 1100;
        for (Sample s : samples) {
            int[] ts = targetShape(s.logits());
            for (DType type : new DType[] {DType.INT64, DType.INT32}) {
                for (Reduction reduction : Reduction.values()) {
                    for (float ls : new float[] {0f, 0.2f}) {
                        Nd logits = new Inputs(seed++).between(-2, 2, s.logits());
                        cases.add(OpCase.named("cross_entropy logits" + Arrays.toString(s.logits()) + " " + type + " targets "
                                        + Arrays.toString(s.targets()) + " ignore_index " + s.ignoreIndex() + " " + reduction
                                        + " label_smoothing " + ls)
                                .input(logits)
                                .kiln((b, t) -> Functional.crossEntropy(t[0], targets(b, type, s.targets(), ts), reduction, ls, s.ignoreIndex()))
                                .ref(r -> RefLoss.crossEntropy(r[0], s.targets(), ts, reduction, ls, s.ignoreIndex())));
                    }
                }
            }
        }
        return cases;
    }

    /** The logits' shape without its class dimension (dimension 1, or 0 for a 1-D input). */
    static int[] targetShape(int[] logits) {
        if (logits.length == 1) return new int[0];
        int[] t = new int[logits.length - 1];
        t[0] = logits[0];
        System.arraycopy(logits, 2, t, 1, logits.length - 2);
        return t;
    }

    /** Targets of {@code type} on {@code backend}. */
    static Tensor targets(dev.kiln.spi.Backend backend, DType type, long[] values, int[] shape) {
        if (type == DType.INT64) return Tensor.fromLongs(backend, values, shape);
        int[] ints = new int[values.length];
        for (int i = 0; i < ints.length; i++) ints[i] = Math.toIntExact(values[i]);
        return Tensor.fromInts(backend, ints, shape);
    }
}
