package dev.kiln.testing;

import dev.kiln.ops.Conv2dOptions;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Padding;
import dev.kiln.ops.Pool2dOptions;
import java.util.List;

/**
 * Samples big enough to cross a blocked GEMM's tile and depth boundaries (more than 64 rows,
 * 256 columns, 256 products per sum) and to split elementwise ops, reductions, softmax, pooling
 * and batch norm across threads (tens of thousands of elements); their gradients are checked
 * along random directions, since element-by-element differences would be too slow.
 */
final class LargeCases {
    private LargeCases() {}

    static List<OpCase> all() {
        Inputs in = new Inputs(900);
        return List.of(
                OpCase.named("matmul [70, 300] @ [300, 270]").directional()
                        .input(in.uniform(70, 300)).input(in.uniform(300, 270))
                        .kiln((b, t) -> Functional.matmul(t[0], t[1]))
                        .ref(r -> RefMath.matmul(r[0], r[1])),
                OpCase.named("matmul [3, 65, 40] @ [40, 33] (shared right operand)").directional()
                        .input(in.uniform(3, 65, 40)).input(in.uniform(40, 33))
                        .kiln((b, t) -> Functional.matmul(t[0], t[1]))
                        .ref(r -> RefMath.matmul(r[0], r[1])),
                OpCase.named("matmul [3, 300]^T @ [3, 260] (transposed left operand)").directional()
                        .input(in.uniform(3, 300)).input(in.uniform(3, 260))
                        .kiln((b, t) -> t[0].transpose(0, 1).matmul(t[1]))
                        .ref(r -> RefMath.matmul(RefMath.transpose(r[0]), r[1])),
                OpCase.named("linear x[130, 260] -> 70 +bias").directional()
                        .input(in.uniform(130, 260)).input(in.uniform(70, 260)).input(in.uniform(70))
                        .kiln((b, t) -> Functional.linear(t[0], t[1], t[2]))
                        .ref(r -> RefMath.linear(r[0], r[1], r[2])),
                conv(in, new int[] {2, 32, 19, 19}, new int[] {8, 32, 3, 3}, Conv2dOptions.defaults().padding(1)),
                conv(in, new int[] {1, 64, 9, 9}, new int[] {16, 32, 3, 3}, Conv2dOptions.defaults().groups(2).padding(Padding.same())),
                conv(in, new int[] {2, 300, 4, 4}, new int[] {5, 300, 1, 1}, Conv2dOptions.defaults()),
                conv(in, new int[] {37, 3, 6, 6}, new int[] {4, 3, 3, 3}, Conv2dOptions.defaults().stride(2)),
                OpCase.named("mul [40, 33, 50] * [33, 1] (broadcast across parallel chunks)").directional()
                        .input(in.uniform(40, 33, 50)).input(in.uniform(33, 1))
                        .kiln((b, t) -> t[0].mul(t[1]))
                        .ref(r -> RefMath.binary(r[0], r[1], (p, q) -> p * q)),
                OpCase.named("add [40, 1, 50] + [1, 33, 50] (both sides broadcast)").directional()
                        .input(in.uniform(40, 1, 50)).input(in.uniform(1, 33, 50))
                        .kiln((b, t) -> t[0].add(t[1]))
                        .ref(r -> RefMath.binary(r[0], r[1], Double::sum)),
                OpCase.named("gelu x[70000]").directional()
                        .input(in.between(-3, 3, 70_000))
                        .kiln((b, t) -> t[0].gelu())
                        .ref(r -> RefMath.map(r[0], RefMath::gelu)),
                OpCase.named("sum x[6, 25000] over axis 1 (few outputs, chunked)").directional()
                        .input(in.uniform(6, 25_000))
                        .kiln((b, t) -> t[0].sum(false, 1))
                        .ref(r -> RefMath.sum(r[0], false, 1)),
                OpCase.named("mean x[300, 7, 40] over axes 0, 2 keepDim").directional()
                        .input(in.uniform(300, 7, 40))
                        .kiln((b, t) -> t[0].mean(true, 0, 2))
                        .ref(r -> RefMath.mean(r[0], true, 0, 2)),
                OpCase.named("log_softmax x[5, 3000, 7] dim 1").directional()
                        .input(in.between(-3, 3, 5, 3000, 7))
                        .kiln((b, t) -> t[0].logSoftmax(1))
                        .ref(r -> RefLoss.softmax(r[0], 1, true)),
                OpCase.named("max_pool2d x[4, 8, 33, 31] k3 s2 p1 ceil").directional()
                        .input(in.distinct(4, 8, 33, 31))
                        .kiln((b, t) -> Functional.maxPool2d(t[0], Pool2dOptions.kernel(3).stride(2).padding(1).ceilMode(true)))
                        .ref(r -> RefPool.maxPool2d(r[0], PoolCases.window(Pool2dOptions.kernel(3).stride(2).padding(1).ceilMode(true)))),
                OpCase.named("batch_norm training x[8, 3, 40, 40]").directional()
                        .input(in.between(-2, 2, 8, 3, 40, 40)).input(in.between(0.5, 1.5, 3)).input(in.uniform(3))
                        .kiln((b, t) -> Functional.batchNorm(t[0], null, null, t[1], t[2], true, 0.1f, 1e-5f))
                        .ref(r -> RefNorm.train(r[0], r[1], r[2], 1e-5f)));
    }

    private static OpCase conv(Inputs in, int[] x, int[] w, Conv2dOptions o) {
        RefConv.Geometry g = ConvCases.geometry(o, w[2], w[3]);
        return OpCase.named("conv2d x" + java.util.Arrays.toString(x) + " w" + java.util.Arrays.toString(w) + " groups " + o.groups()
                        + " pad(" + g.top() + "," + g.bottom() + "," + g.left() + "," + g.right() + ") stride " + o.strideH() + " +bias")
                .directional()
                .input(in.uniform(x)).input(in.uniform(w)).input(in.uniform(w[0]))
                .kiln((b, t) -> Functional.conv2d(t[0], t[1], t[2], o))
                .ref(r -> RefConv.conv2d(r[0], r[1], r[2], g));
    }
}
