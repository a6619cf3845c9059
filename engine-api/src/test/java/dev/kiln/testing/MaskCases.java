package dev.kiln.testing;

import dev.kiln.ops.Functional;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * where, maskedFill, tril and triu in the op suite. Each condition or mask is computed on the
 * backend from a constant float input ({@code c > 0}, {@code m < 0.2}), so the comparisons run
 * too; the references select with a float64 loop over the broadcast output index. Shapes cover
 * equal, broadcast on every operand, a 0-dim operand, a mask larger than the input (whose gradient
 * is summed back), every rank of tril/triu, diagonals on both sides and beyond the matrix, and
 * sizes large enough for several threads. {@code min} as {@code where(a < b, a, b)} checks both
 * gradients against each other.
 */
final class MaskCases {
    private MaskCases() {}

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        Inputs in = new Inputs(1100);
        // {cond, a, b}
        int[][][] wheres = {
            {{3, 4}, {3, 4}, {3, 4}}, {{3, 1}, {1, 4}, {4}}, {{2, 1, 4}, {3, 1}, {}}, {{}, {2, 3}, {2, 3}}, {{5}, {2, 1}, {3, 2, 5}},
        };
        for (int[][] w : wheres) {
            cases.add(OpCase.named("where cond " + Arrays.toString(w[0]) + " a " + Arrays.toString(w[1]) + " b " + Arrays.toString(w[2]))
                    .constant(in.uniform(w[0])).input(in.uniform(w[1])).input(in.uniform(w[2]))
                    .kiln((b, t) -> Functional.where(t[0].gt(0f), t[1], t[2]))
                    .ref(r -> where(r[0], r[1], r[2])));
        }
        cases.add(OpCase.named("where [40, 33, 17] cond [33, 1] (multi-threaded)").directional()
                .constant(in.uniform(33, 1)).input(in.uniform(40, 33, 17)).input(in.uniform(17))
                .kiln((b, t) -> t[1].where(t[0].gt(0f), t[2]))
                .ref(r -> where(r[0], r[1], r[2])));
        cases.add(OpCase.named("min [3, 5] [5] as where(a < b, a, b)").input(in.uniform(3, 5)).input(in.uniform(5))
                .kiln((b, t) -> Functional.where(t[0].lt(t[1]), t[0], t[1]))
                .ref(r -> min(r[0], r[1])));
        // {x, mask}
        int[][][] fills = {{{3, 4}, {3, 4}}, {{2, 3, 4}, {3, 1}}, {{4}, {3, 4}}, {{2, 3}, {}}};
        for (int[][] f : fills) {
            cases.add(OpCase.named("maskedFill x " + Arrays.toString(f[0]) + " mask " + Arrays.toString(f[1]) + " value -1.5")
                    .input(in.uniform(f[0])).constant(in.uniform(f[1]))
                    .kiln((b, t) -> t[0].maskedFill(t[1].lt(0.2f), -1.5f))
                    .ref(r -> maskedFill(r[0], r[1], -1.5)));
        }
        // {shape, {diagonal}}
        int[][][] triangles = {
            {{4, 5}, {0}}, {{4, 5}, {-1}}, {{4, 5}, {2}}, {{4, 5}, {-7}}, {{4, 5}, {9}}, {{2, 3, 4}, {1}}, {{2, 1, 3, 3}, {-1}},
            {{5, 3}, {-2}}, {{1, 6}, {3}},
        };
        for (int[][] c : triangles) {
            int diagonal = c[1][0];
            cases.add(OpCase.named("tril " + Arrays.toString(c[0]) + " diagonal " + diagonal).input(in.uniform(c[0]))
                    .kiln((b, t) -> t[0].tril(diagonal)).ref(r -> triangle(r[0], diagonal, false)));
            cases.add(OpCase.named("triu " + Arrays.toString(c[0]) + " diagonal " + diagonal).input(in.uniform(c[0]))
                    .kiln((b, t) -> Functional.triu(t[0], diagonal)).ref(r -> triangle(r[0], diagonal, true)));
        }
        cases.add(OpCase.named("tril [3, 4] default diagonal").input(in.uniform(3, 4))
                .kiln((b, t) -> t[0].tril()).ref(r -> triangle(r[0], 0, false)));
        cases.add(OpCase.named("triu [3, 4] default diagonal").input(in.uniform(3, 4))
                .kiln((b, t) -> t[0].triu()).ref(r -> triangle(r[0], 0, true)));
        cases.add(OpCase.named("triu [6, 70, 90] diagonal 5 (multi-threaded)").directional().input(in.uniform(6, 70, 90))
                .kiln((b, t) -> t[0].triu(5)).ref(r -> triangle(r[0], 5, true)));
        return cases;
    }

    /** {@code c > 0 ? a : b}, the three broadcast together. */
    static Nd where(Nd c, Nd a, Nd b) {
        Nd y = Nd.zeros(RefMath.broadcastShape(RefMath.broadcastShape(c.shape(), a.shape()), b.shape()));
        for (int i = 0; i < y.numel(); i++) {
            int[] j = y.unravel(i);
            y.data()[i] = read(c, j) > 0 ? read(a, j) : read(b, j);
        }
        return y;
    }

    static Nd min(Nd a, Nd b) {
        return RefMath.binary(a, b, Math::min);
    }

    /** {@code m < 0.2 ? value : x}, broadcast together. */
    static Nd maskedFill(Nd x, Nd m, double value) {
        Nd y = Nd.zeros(RefMath.broadcastShape(x.shape(), m.shape()));
        for (int i = 0; i < y.numel(); i++) {
            int[] j = y.unravel(i);
            y.data()[i] = read(m, j) < (double) 0.2f ? value : read(x, j);
        }
        return y;
    }

    /** Keeps (i, j) of each trailing matrix when j - i is at most (lower) or at least (upper) the diagonal. */
    static Nd triangle(Nd x, int diagonal, boolean upper) {
        Nd y = Nd.zeros(x.shape());
        int rank = x.rank();
        for (int k = 0; k < x.numel(); k++) {
            int[] j = x.unravel(k);
            int d = j[rank - 1] - j[rank - 2];
            y.data()[k] = (upper ? d >= diagonal : d <= diagonal) ? x.at(k) : 0;
        }
        return y;
    }

    /** The element of {@code a} (right-aligned, size-1 dimensions broadcast) at output index j. */
    private static double read(Nd a, int[] j) {
        int lead = j.length - a.rank();
        int flat = 0;
        for (int d = 0; d < a.rank(); d++) flat = flat * a.dim(d) + (a.dim(d) == 1 ? 0 : j[d + lead]);
        return a.at(flat);
    }
}
