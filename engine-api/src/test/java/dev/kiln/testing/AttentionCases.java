package dev.kiln.testing;

import dev.kiln.ops.AttentionOptions;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.Generator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fused scaled dot-product attention against {@link RefAttention}: 2-D to 5-D problems, L != S,
 * Ev != E, causal with L below, equal to and above S, additive masks of every broadcast form
 * ([L, S], key padding [B, 1, 1, S], full, a mask broadcast over only some batch dimensions) with
 * {@code -inf} entries and one fully masked row, an explicit scale, dropout with a fixed seed, and
 * sizes that do not divide the kernels' tiles (64 on the CPU), checked along random directions; the
 * same forms with BOOL masks.
 */
final class AttentionCases {
    private AttentionCases() {}

    private static final double NEG_INF = Double.NEGATIVE_INFINITY;

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        long seed = 1100;
        int[][][] plain = {
            {{2, 3, 5, 4}, {2, 3, 6, 4}, {2, 3, 6, 5}},   // batch, heads; L 5, S 6, E 4, Ev 5
            {{2, 5, 3}, {2, 7, 3}, {2, 7, 2}},            // 3-D
            {{4, 3}, {6, 3}, {6, 4}},                     // 2-D
            {{1, 1, 1, 2}, {1, 1, 1, 2}, {1, 1, 1, 3}},   // one query, one key
        };
        for (int[][] s : plain) {
            Inputs in = new Inputs(seed++);
            cases.add(OpCase.named("sdpa q" + Arrays.toString(s[0]) + " k" + Arrays.toString(s[1]) + " v" + Arrays.toString(s[2]))
                    .input(in.uniform(s[0])).input(in.uniform(s[1])).input(in.uniform(s[2]))
                    .kiln((b, t) -> Functional.scaledDotProductAttention(t[0], t[1], t[2]))
                    .ref(r -> RefAttention.sdpa(r[0], r[1], r[2], null, false, Double.NaN)));
        }
        for (int[] ls : new int[][] {{6, 6}, {4, 7}, {7, 4}}) {
            Inputs in = new Inputs(seed++);
            int[] q = {2, 2, ls[0], 3}, k = {2, 2, ls[1], 3}, v = {2, 2, ls[1], 4};
            cases.add(OpCase.named("sdpa causal L " + ls[0] + " S " + ls[1])
                    .input(in.uniform(q)).input(in.uniform(k)).input(in.uniform(v))
                    .kiln((b, t) -> Functional.scaledDotProductAttention(t[0], t[1], t[2], AttentionOptions.defaults().causal(true)))
                    .ref(r -> RefAttention.sdpa(r[0], r[1], r[2], null, true, Double.NaN)));
        }
        int[][] maskShapes = {{5, 6}, {2, 1, 1, 6}, {2, 3, 5, 6}, {3, 1, 6}};
        for (int[] ms : maskShapes) {
            Inputs in = new Inputs(seed++);
            Nd mask = sparseInf(in.between(-1, 1, ms), 5);
            cases.add(OpCase.named("sdpa q[2, 3, 5, 4] mask" + Arrays.toString(ms) + " with -inf")
                    .input(in.uniform(2, 3, 5, 4)).input(in.uniform(2, 3, 6, 4)).input(in.uniform(2, 3, 6, 2)).constant(mask)
                    .kiln((b, t) -> Functional.scaledDotProductAttention(t[0], t[1], t[2], AttentionOptions.defaults().attnMask(t[3])))
                    .ref(r -> RefAttention.sdpa(r[0], r[1], r[2], r[3], false, Double.NaN)));
        }
        Inputs partial = new Inputs(seed++);
        cases.add(OpCase.named("sdpa 5-D q[2, 3, 2, 4, 3] mask[3, 1, 4, 5] (broadcast over some batch dims)")
                .input(partial.uniform(2, 3, 2, 4, 3)).input(partial.uniform(2, 3, 2, 5, 3)).input(partial.uniform(2, 3, 2, 5, 2))
                .constant(partial.between(-2, 2, 3, 1, 4, 5))
                .kiln((b, t) -> Functional.scaledDotProductAttention(t[0], t[1], t[2], AttentionOptions.defaults().attnMask(t[3])))
                .ref(r -> RefAttention.sdpa(r[0], r[1], r[2], r[3], false, Double.NaN)));
        Inputs masked = new Inputs(seed++);
        Nd rowMask = masked.between(-1, 1, 4, 5);
        for (int j = 0; j < 5; j++) rowMask.data()[2 * 5 + j] = NEG_INF;
        cases.add(OpCase.named("sdpa fully masked query row 2 gives zeros (PyTorch's _safe_softmax)")
                .input(masked.uniform(2, 4, 3)).input(masked.uniform(2, 5, 3)).input(masked.uniform(2, 5, 3)).constant(rowMask)
                .kiln((b, t) -> Functional.scaledDotProductAttention(t[0], t[1], t[2], AttentionOptions.defaults().attnMask(t[3])))
                .ref(r -> RefAttention.sdpa(r[0], r[1], r[2], r[3], false, Double.NaN)));
        Inputs scaled = new Inputs(seed++);
        cases.add(OpCase.named("sdpa scale 0.3")
                .input(scaled.uniform(2, 4, 3)).input(scaled.uniform(2, 6, 3)).input(scaled.uniform(2, 6, 2))
                .kiln((b, t) -> Functional.scaledDotProductAttention(t[0], t[1], t[2], AttentionOptions.defaults().scale(0.3f)))
                .ref(r -> RefAttention.sdpa(r[0], r[1], r[2], null, false, 0.3)));
        for (boolean causal : new boolean[] {false, true}) {
            Inputs in = new Inputs(seed++);
            cases.add(OpCase.named("sdpa dropout 0.3 seed 77" + (causal ? " causal" : ""))
                    .input(in.uniform(2, 2, 5, 3)).input(in.uniform(2, 2, 6, 3)).input(in.uniform(2, 2, 6, 4))
                    .kiln((b, t) -> Functional.scaledDotProductAttention(t[0], t[1], t[2],
                            AttentionOptions.defaults().dropoutP(0.3f).causal(causal).generator(new Generator(77))))
                    .ref(r -> RefAttention.sdpa(r[0], r[1], r[2], null, causal, Double.NaN, 0.3f, 77)));
        }
        // Beyond one tile (64 queries, 64 keys) with remainders, on several threads.
        Inputs big = new Inputs(seed++);
        cases.add(OpCase.named("sdpa across tiles q[2, 67, 5] k[2, 131, 5] v[2, 131, 3] mask[67, 131]").directional()
                .input(big.uniform(2, 67, 5)).input(big.uniform(2, 131, 5)).input(big.uniform(2, 131, 3))
                .constant(big.between(-1, 1, 67, 131))
                .kiln((b, t) -> Functional.scaledDotProductAttention(t[0], t[1], t[2], AttentionOptions.defaults().attnMask(t[3])))
                .ref(r -> RefAttention.sdpa(r[0], r[1], r[2], r[3], false, Double.NaN)));
        Inputs bigCausal = new Inputs(seed++);
        cases.add(OpCase.named("sdpa across tiles causal q[1, 2, 97, 4] v Ev 6, dropout 0.2").directional()
                .input(bigCausal.uniform(1, 2, 97, 4)).input(bigCausal.uniform(1, 2, 97, 4)).input(bigCausal.uniform(1, 2, 97, 6))
                .kiln((b, t) -> Functional.scaledDotProductAttention(t[0], t[1], t[2],
                        AttentionOptions.defaults().causal(true).dropoutP(0.2f).generator(new Generator(5))))
                .ref(r -> RefAttention.sdpa(r[0], r[1], r[2], null, true, Double.NaN, 0.2f, 5)));
        cases.addAll(booleanMasks(seed));
        return cases;
    }

    /**
     * BOOL masks (True takes part, PyTorch's sdpa convention), read by the kernels as bytes: the
     * reference gets the same mask as 0 (kept) or {@code -inf} (hidden) added to the scores. Forms:
     * [L, S], key padding [B, 1, 1, S], broadcast over some batch dims (copied on the device), a fully
     * hidden row, and across tiles.
     */
    private static List<OpCase> booleanMasks(long seed) {
        List<OpCase> cases = new ArrayList<>();
        int[][][] forms = {
            {{2, 3, 5, 4}, {5, 6}},
            {{2, 3, 5, 4}, {2, 1, 1, 6}},
            {{2, 3, 5, 4}, {2, 3, 5, 6}},
            {{2, 3, 2, 5, 4}, {3, 1, 5, 6}},
        };
        for (int[][] f : forms) {
            Inputs in = new Inputs(seed++);
            int[] q = f[0], k = q.clone(), v = q.clone();
            k[k.length - 2] = 6;
            v[v.length - 2] = 6;
            v[v.length - 1] = 3;
            cases.add(boolCase("sdpa q" + Arrays.toString(q) + " BOOL mask" + Arrays.toString(f[1]), in, q, k, v, keeps(in, f[1], -1)));
        }
        Inputs row = new Inputs(seed++);
        cases.add(boolCase("sdpa BOOL mask hiding every key of query 1 gives zeros", row, new int[] {2, 4, 3}, new int[] {2, 5, 3},
                new int[] {2, 5, 2}, keeps(row, new int[] {4, 5}, 1)));
        Inputs big = new Inputs(seed);
        cases.add(boolCase("sdpa across tiles q[2, 67, 5] k[2, 131, 5] BOOL mask[67, 131]", big, new int[] {2, 67, 5},
                new int[] {2, 131, 5}, new int[] {2, 131, 3}, keeps(big, new int[] {67, 131}, -1)).directional());
        return cases;
    }

    /** One case: the kernel gets {@code keep > 0.5} as BOOL, the reference its additive form. */
    private static OpCase boolCase(String name, Inputs in, int[] q, int[] k, int[] v, Nd keep) {
        return OpCase.named(name).input(in.uniform(q)).input(in.uniform(k)).input(in.uniform(v)).constant(keep)
                .kiln((b, t) -> Functional.scaledDotProductAttention(t[0], t[1], t[2], AttentionOptions.defaults().attnMask(t[3].gt(0.5f))))
                .ref(r -> RefAttention.sdpa(r[0], r[1], r[2], additive(r[3]), false, Double.NaN));
    }

    /** 1 (take part) or 0 (hidden) at random, about a third hidden but never column 0, except row {@code hiddenRow} of the last two dims. */
    private static Nd keeps(Inputs in, int[] shape, int hiddenRow) {
        Nd m = in.between(0, 1, shape);
        int cols = shape[shape.length - 1], rows = shape[shape.length - 2];
        for (int i = 0; i < m.numel(); i++) {
            boolean hidden = (m.data()[i] < 0.35 && i % cols != 0) || i / cols % rows == hiddenRow;
            m.data()[i] = hidden ? 0 : 1;
        }
        return m;
    }

    /** A 0/1 keep mask as the additive mask it stands for: 0 where kept, {@code -inf} where hidden. */
    static Nd additive(Nd keep) {
        Nd out = keep.copy();
        for (int i = 0; i < out.numel(); i++) out.data()[i] = keep.data()[i] > 0.5 ? 0 : NEG_INF;
        return out;
    }

    /** Every {@code every}-th element set to {@code -inf} (a masked key), never a whole row of the last dim. */
    private static Nd sparseInf(Nd mask, int every) {
        int cols = mask.dim(mask.rank() - 1);
        for (int i = 0; i < mask.numel(); i++) if (i % every == 1 && i % cols != 0) mask.data()[i] = NEG_INF;
        return mask;
    }
}
