package dev.kiln.testing;

import dev.kiln.ops.Conv1dOptions;
import dev.kiln.ops.Functional;
import dev.kiln.ops.PaddingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * layer_norm, rms_norm and conv1d samples: one and two normalised dimensions, with and without
 * weight and bias, a single normalised element, constant inputs, and rows enough for several
 * partial-sum blocks of the parameter gradients; conv1d with stride, padding (explicit, 'same'
 * with odd and even kernels, circular), dilation, groups and no bias.
 */
final class LayerNormCases {
    private LayerNormCases() {}

    private static final float EPS = 1e-5f;

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        layerNorm(cases);
        rmsNorm(cases);
        conv1d(cases);
        return cases;
    }

    private static void layerNorm(List<OpCase> cases) {
        long seed = 1100;
        int[][][] shapes = {{{4, 6}, {6}}, {{2, 3, 4}, {3, 4}}, {{5}, {5}}, {{2, 2, 3, 5}, {5}}};
        for (int[][] s : shapes) {
            Inputs in = new Inputs(seed++);
            int[] norm = s[1];
            cases.add(OpCase.named("layer_norm x" + Arrays.toString(s[0]) + " over " + Arrays.toString(norm) + " affine")
                    .input(in.between(-2, 2, s[0])).input(in.between(0.5, 1.5, norm)).input(in.uniform(norm))
                    .kiln((b, t) -> Functional.layerNorm(t[0], norm, t[1], t[2], EPS))
                    .ref(r -> RefLayerNorm.layerNorm(r[0], norm.length, r[1], r[2], EPS)));
        }
        Inputs in = new Inputs(seed);
        cases.add(OpCase.named("layer_norm x[3, 5] over [5] without weight and bias (default eps)").input(in.between(-2, 2, 3, 5))
                .kiln((b, t) -> Functional.layerNorm(t[0], 5))
                .ref(r -> RefLayerNorm.layerNorm(r[0], 1, null, null, 1e-5)));
        cases.add(OpCase.named("layer_norm x[2, 3, 7] over [7] weight only, eps 0.1").input(in.between(-2, 2, 2, 3, 7))
                .input(in.between(0.5, 1.5, 7))
                .kiln((b, t) -> Functional.layerNorm(t[0], new int[] {7}, t[1], null, 0.1f))
                .ref(r -> RefLayerNorm.layerNorm(r[0], 1, r[1], null, 0.1)));
        cases.add(OpCase.named("layer_norm x[3, 1] over [1] (one element: output is the bias)").input(in.between(-2, 2, 3, 1))
                .input(in.between(0.5, 1.5, 1)).input(in.uniform(1))
                .kiln((b, t) -> Functional.layerNorm(t[0], new int[] {1}, t[1], t[2], EPS))
                .ref(r -> RefLayerNorm.layerNorm(r[0], 1, r[1], r[2], EPS)));
        cases.add(OpCase.named("layer_norm x[4, 6] constant, weight and bias differentiable").constant(in.between(-2, 2, 4, 6))
                .input(in.between(0.5, 1.5, 6)).input(in.uniform(6))
                .kiln((b, t) -> Functional.layerNorm(t[0], new int[] {6}, t[1], t[2], EPS))
                .ref(r -> RefLayerNorm.layerNorm(r[0], 1, r[1], r[2], EPS)));
        cases.add(OpCase.named("layer_norm x[70, 33] over [33] affine (several gradient blocks, multi-threaded)").directional()
                .input(in.between(-2, 2, 70, 33)).input(in.between(0.5, 1.5, 33)).input(in.uniform(33))
                .kiln((b, t) -> Functional.layerNorm(t[0], new int[] {33}, t[1], t[2], EPS))
                .ref(r -> RefLayerNorm.layerNorm(r[0], 1, r[1], r[2], EPS)));
        cases.add(OpCase.named("layer_norm x[8, 300] over [300] affine (long rows)").directional()
                .input(in.between(-2, 2, 8, 300)).input(in.between(0.5, 1.5, 300)).input(in.uniform(300))
                .kiln((b, t) -> Functional.layerNorm(t[0], new int[] {300}, t[1], t[2], EPS))
                .ref(r -> RefLayerNorm.layerNorm(r[0], 1, r[1], r[2], EPS)));
    }

    private static void rmsNorm(List<OpCase> cases) {
        long seed = 1200;
        int[][][] shapes = {{{4, 6}, {6}}, {{2, 3, 4}, {3, 4}}, {{7}, {7}}};
        for (int[][] s : shapes) {
            Inputs in = new Inputs(seed++);
            int[] norm = s[1];
            cases.add(OpCase.named("rms_norm x" + Arrays.toString(s[0]) + " over " + Arrays.toString(norm) + " weight, eps 1e-5")
                    .input(in.between(-2, 2, s[0])).input(in.between(0.5, 1.5, norm))
                    .kiln((b, t) -> Functional.rmsNorm(t[0], norm, t[1], EPS))
                    .ref(r -> RefLayerNorm.rmsNorm(r[0], norm.length, r[1], EPS)));
        }
        Inputs in = new Inputs(seed);
        cases.add(OpCase.named("rms_norm x[3, 5] over [5] without weight, default eps").input(in.between(-2, 2, 3, 5))
                .kiln((b, t) -> Functional.rmsNorm(t[0], new int[] {5}, null))
                .ref(r -> RefLayerNorm.rmsNorm(r[0], 1, null, Math.ulp(1f))));
        cases.add(OpCase.named("rms_norm x[4, 6] constant, weight differentiable").constant(in.between(-2, 2, 4, 6))
                .input(in.between(0.5, 1.5, 6))
                .kiln((b, t) -> Functional.rmsNorm(t[0], new int[] {6}, t[1]))
                .ref(r -> RefLayerNorm.rmsNorm(r[0], 1, r[1], Math.ulp(1f))));
        cases.add(OpCase.named("rms_norm x[70, 33] over [33] weight (several gradient blocks, multi-threaded)").directional()
                .input(in.between(-2, 2, 70, 33)).input(in.between(0.5, 1.5, 33))
                .kiln((b, t) -> Functional.rmsNorm(t[0], new int[] {33}, t[1], EPS))
                .ref(r -> RefLayerNorm.rmsNorm(r[0], 1, r[1], EPS)));
    }

    private static void conv1d(List<OpCase> cases) {
        Inputs in = new Inputs(1300);
        // {N, C, L, O, k, stride, padding (-1 = same), dilation, groups, bias (1/0), circular (1/0)}
        int[][] geometries = {
            {2, 3, 10, 4, 3, 1, 0, 1, 1, 1, 0}, {2, 3, 11, 4, 3, 2, 1, 1, 1, 1, 0}, {1, 2, 9, 3, 3, 1, -1, 2, 1, 1, 0},
            {2, 2, 8, 3, 4, 1, -1, 1, 1, 1, 0}, {2, 4, 9, 6, 3, 1, 1, 1, 2, 1, 0}, {2, 3, 7, 2, 3, 1, 2, 1, 1, 1, 1},
            {3, 2, 6, 2, 1, 3, 0, 1, 1, 0, 0}, {1, 4, 12, 4, 5, 2, 2, 2, 4, 1, 0},
        };
        for (int[] g : geometries) {
            int n = g[0], c = g[1], len = g[2], o = g[3], k = g[4], stride = g[5], pad = g[6], dil = g[7], groups = g[8];
            boolean bias = g[9] == 1, circular = g[10] == 1;
            Conv1dOptions opts = Conv1dOptions.defaults().stride(stride).dilation(dil).groups(groups)
                    .paddingMode(circular ? PaddingMode.CIRCULAR : PaddingMode.ZEROS);
            opts = pad < 0 ? opts.paddingSame() : opts.padding(pad);
            int span = dil * (k - 1);
            int left = pad < 0 ? span / 2 : pad, right = pad < 0 ? span - left : pad;
            Conv1dOptions o1 = opts;
            String name = "conv1d x[" + n + ", " + c + ", " + len + "] w[" + o + ", " + c / groups + ", " + k + "] stride " + stride
                    + " padding " + (pad < 0 ? "same" : pad) + " dilation " + dil + " groups " + groups + (bias ? "" : " no bias")
                    + (circular ? " circular" : "");
            OpCase oc = OpCase.named(name).input(in.uniform(n, c, len)).input(in.uniform(o, c / groups, k));
            if (bias) {
                oc.input(in.uniform(o))
                        .kiln((b, t) -> Functional.conv1d(t[0], t[1], t[2], o1))
                        .ref(r -> RefLayerNorm.conv1d(r[0], r[1], r[2], stride, left, right, dil, groups, circular));
            } else {
                oc.kiln((b, t) -> Functional.conv1d(t[0], t[1], null, o1))
                        .ref(r -> RefLayerNorm.conv1d(r[0], r[1], null, stride, left, right, dil, groups, circular));
            }
            cases.add(oc);
        }
    }
}
