package dev.kiln.testing;

import dev.kiln.ops.Functional;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * torch.matmul beyond 2-D and 3-D: 1-D operands on either side, 4-D attention shapes, batch dims
 * broadcast on one side, on both sides (partly: expanded) and against a shared 2-D operand (one
 * tall GEMM), sizes that do not divide the micro-kernel tiles, transposed operands; bmm.
 */
final class BatchedMatmulCases {
    private BatchedMatmulCases() {}

    static List<OpCase> all() {
        List<OpCase> cases = new ArrayList<>();
        int[][][] pairs = {
            {{5}, {5}},                      // dot product: 0-D
            {{4}, {4, 3}},                   // vector @ matrix
            {{3, 4}, {4}},                   // matrix @ vector
            {{2, 3, 4}, {4}},                // batch @ vector
            {{4}, {2, 4, 3}},                // vector @ batch
            {{2, 3, 5, 4}, {2, 3, 4, 5}},    // [B, H, T, D] @ [B, H, D, T]
            {{2, 3, 5, 4}, {4, 6}},          // shared 2-D right operand: one [B*H*T, D] GEMM
            {{2, 1, 3, 4}, {1, 3, 4, 2}},    // both broadcast: expanded to [2, 3]
            {{3, 5, 4}, {2, 1, 4, 3}},       // different ranks
            {{1, 2, 3}, {4, 3, 2}},          // size-1 batch against 4
            {{4, 3}, {2, 2, 3, 5}},          // shared 2-D left operand
            {{2, 13, 9}, {1, 9, 17}},        // odd sizes: partial micro-kernel tiles
        };
        long seed = 1100;
        for (int[][] p : pairs) {
            Inputs in = new Inputs(seed++);
            cases.add(OpCase.named("matmul N-D " + Arrays.toString(p[0]) + " @ " + Arrays.toString(p[1]))
                    .input(in.uniform(p[0])).input(in.uniform(p[1]))
                    .kiln((b, t) -> Functional.matmul(t[0], t[1]))
                    .ref(r -> RefSelect.matmul(r[0], r[1])));
        }
        Inputs in = new Inputs(seed);
        cases.add(OpCase.named("matmul N-D [2, 3, 5, 4] (right constant) @ [4, 6]").input(in.uniform(2, 3, 5, 4)).input(in.uniform(4, 6))
                .kiln((b, t) -> Functional.matmul(t[0], t[1])).ref(r -> RefSelect.matmul(r[0], r[1])).asConstant(1));
        cases.add(OpCase.named("matmul N-D q @ k^T: [2, 2, 5, 3] @ [2, 2, 5, 3]^T").input(in.uniform(2, 2, 5, 3)).input(in.uniform(2, 2, 5, 3))
                .kiln((b, t) -> t[0].matmul(t[1].transpose(-1, -2)))
                .ref(r -> RefSelect.matmul(r[0], RefSelect.transposeLast(r[1]))));
        cases.add(OpCase.named("bmm [3, 4, 5] @ [3, 5, 2]").input(in.uniform(3, 4, 5)).input(in.uniform(3, 5, 2))
                .kiln((b, t) -> Functional.bmm(t[0], t[1])).ref(r -> RefSelect.matmul(r[0], r[1])));
        cases.add(OpCase.named("matmul N-D [64, 30, 37] @ [37, 41] (tall GEMM beyond one block)").directional()
                .input(in.uniform(64, 30, 37)).input(in.uniform(37, 41))
                .kiln((b, t) -> Functional.matmul(t[0], t[1])).ref(r -> RefSelect.matmul(r[0], r[1])));
        cases.add(OpCase.named("matmul N-D [16, 3, 33, 17] @ [3, 17, 29] (many small products)").directional()
                .input(in.uniform(16, 3, 33, 17)).input(in.uniform(3, 17, 29))
                .kiln((b, t) -> Functional.matmul(t[0], t[1])).ref(r -> RefSelect.matmul(r[0], r[1])));
        return cases;
    }
}
