package dev.kiln.testing;

import dev.kiln.ops.Functional;
import dev.kiln.ops.Pool2dOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Pooling samples: max and average pooling over kernel/stride/padding/ceil-mode combinations
 * (including a ceil-mode window that PyTorch drops because it would start in the padding),
 * dilation for max, count_include_pad both ways for average, and global average pooling.
 * Max-pool inputs are distinct values, so no window has a tie.
 */
final class PoolCases {
    private PoolCases() {}

    static List<OpCase> all() {
        List<Pool2dOptions> windows = List.of(
                Pool2dOptions.kernel(2),
                Pool2dOptions.kernel(3).stride(2).padding(1),
                Pool2dOptions.kernel(3).stride(2).ceilMode(true),
                Pool2dOptions.kernel(3).stride(2).padding(1).ceilMode(true),
                Pool2dOptions.kernel(2, 3).stride(1, 2).padding(1, 1).ceilMode(true),
                Pool2dOptions.kernel(3).stride(1),
                Pool2dOptions.kernel(2).stride(3).ceilMode(true),
                Pool2dOptions.kernel(4).stride(3).padding(2).ceilMode(true),
                // ceil mode gives 4 windows per row, but the last would start in the right padding: PyTorch keeps 3.
                Pool2dOptions.kernel(2).stride(2).padding(1).ceilMode(true));
        int[][] shapes = {{1, 1, 5, 5}, {2, 3, 6, 6}, {1, 2, 7, 5}, {2, 1, 6, 7}, {1, 2, 5, 8}, {3, 1, 4, 5}, {1, 2, 7, 7}, {2, 1, 6, 6},
            {1, 2, 5, 5}};
        List<OpCase> cases = new ArrayList<>();
        for (int i = 0; i < windows.size(); i++) {
            Pool2dOptions o = windows.get(i);
            int[] s = shapes[i];
            cases.add(max(100 + i, s, o));
            cases.add(avg(200 + i, s, o.countIncludePad(true)));
            cases.add(avg(300 + i, s, o.countIncludePad(false)));
        }
        cases.add(max(120, new int[] {1, 2, 9, 8}, Pool2dOptions.kernel(3).stride(2).dilation(2).padding(1)));
        cases.add(max(121, new int[] {2, 1, 7, 7}, Pool2dOptions.kernel(2).stride(1).dilation(2).ceilMode(true)));
        cases.add(max(122, new int[] {1, 1, 3, 3}, Pool2dOptions.kernel(3)));
        for (int[] s : new int[][] {{1, 1, 1, 1}, {2, 3, 4, 5}, {1, 4, 7, 3}}) {
            cases.add(OpCase.named("global_avg_pool2d x" + java.util.Arrays.toString(s)).input(new Inputs(s[1] * 7L + s[2]).uniform(s))
                    .kiln((b, t) -> Functional.globalAvgPool2d(t[0]))
                    .ref(r -> RefPool.globalAvgPool2d(r[0])));
        }
        return cases;
    }

    private static OpCase max(long seed, int[] shape, Pool2dOptions o) {
        return OpCase.named("max_pool2d x" + java.util.Arrays.toString(shape) + " " + describe(o))
                .input(new Inputs(seed).distinct(shape))
                .kiln((b, t) -> Functional.maxPool2d(t[0], o))
                .ref(r -> RefPool.maxPool2d(r[0], window(o)));
    }

    private static OpCase avg(long seed, int[] shape, Pool2dOptions o) {
        return OpCase.named("avg_pool2d x" + java.util.Arrays.toString(shape) + " " + describe(o) + " count_include_pad=" + o.countIncludePad())
                .input(new Inputs(seed).uniform(shape))
                .kiln((b, t) -> Functional.avgPool2d(t[0], o))
                .ref(r -> RefPool.avgPool2d(r[0], window(o)));
    }

    static RefPool.Window window(Pool2dOptions o) {
        return new RefPool.Window(o.kernelH(), o.kernelW(), o.strideH(), o.strideW(), o.padH(), o.padW(),
                o.dilationH(), o.dilationW(), o.ceilMode(), o.countIncludePad());
    }

    private static String describe(Pool2dOptions o) {
        return String.format("k(%d,%d) s(%d,%d) p(%d,%d) d(%d,%d)%s", o.kernelH(), o.kernelW(), o.strideH(), o.strideW(),
                o.padH(), o.padW(), o.dilationH(), o.dilationW(), o.ceilMode() ? " ceil" : "");
    }
}
