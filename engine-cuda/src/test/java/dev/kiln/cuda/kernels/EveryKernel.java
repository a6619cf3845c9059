package dev.kiln.cuda.kernels;

import dev.kiln.spi.AdamSpec;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.Broadcast;
import dev.kiln.spi.CrossEntropySpec;
import dev.kiln.spi.IndexSpec;
import dev.kiln.spi.PadSpec;
import dev.kiln.spi.PermuteSpec;
import dev.kiln.spi.Pool2dSpec;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.spi.ScalarOp;
import dev.kiln.spi.SgdSpec;
import dev.kiln.spi.SoftmaxSpec;
import dev.kiln.spi.StridedCopySpec;
import dev.kiln.spi.UnaryOp;

/** Calls every {@link KernelOps} method so that every kernel of the fatbin is launched at least once. */
final class EveryKernel {
    private EveryKernel() {}

    static void launch(KernelOps ops) {
        ops.fill(1, 1000, false, 0.5f);
        ops.fill(1, 1000, true, 3f);
        ops.unary(UnaryOp.GELU, 0f, 1, 2, 10_000);
        ops.unaryBackward(UnaryOp.LEAKY_RELU, 0.01f, 1, 2, 3, 4, 10_000);
        ops.binary(BinaryOp.MUL, Broadcast.of("mul", new int[] {4, 3, 5}, new int[] {3, 1}), 1, 2, 3);
        ops.scalar(ScalarOp.POW, 1, 2f, 2, 77);
        ops.sum(new ReduceSpec(new int[] {64, 1000}, new int[] {1}), 1, 2);   // innermost reduced: block kernel
        ops.sum(new ReduceSpec(new int[] {64, 10_000}, new int[] {0}), 1, 2); // outer reduced, many outputs: thread kernel
        ops.argmax(100, 10, 1, 2);
        ops.stridedCopy(new PermuteSpec(new int[] {2, 3, 4, 5}, new int[] {0, 3, 1, 2}).copySpec(), 1, 2);
        ops.stridedCopy(new StridedCopySpec(new int[] {3, 4}, 5, new long[] {0, 1}, 2, new long[] {9, 1}), 1, 2);
        PadSpec pad = new PadSpec(2, 3, 8, 8, 1, 2, 3, 1, PadSpec.Mode.CIRCULAR);
        ops.pad2d(pad, 1, 2);
        ops.pad2dBackward(pad, 1, 2);
        Pool2dSpec pool = new Pool2dSpec(2, 3, 9, 9, 3, 3, 2, 2, 1, 1, 1, 1, true, false);
        ops.maxPool2d(pool, 1, 2);
        ops.maxPool2dBackward(pool, 1, 2, 3);
        ops.avgPool2d(pool, 1, 2);
        ops.avgPool2dBackward(pool, 1, 2);
        ops.softmax(new SoftmaxSpec(8, 10, 1, false), 1, 2);
        ops.softmax(new SoftmaxSpec(8, 10, 49, true), 1, 2);
        ops.softmaxBackward(new SoftmaxSpec(8, 10, 1, true), 1, 2, 3);
        ops.softmaxBackward(new SoftmaxSpec(8, 10, 49, false), 1, 2, 3);
        CrossEntropySpec ce = new CrossEntropySpec(32, 10, 0.1f);
        ops.crossEntropy(ce, 1, 2, 3, 4, 5);
        ops.crossEntropyBackward(ce, 1, 2, 3, 4);
        ops.dropoutMask(42L, 3, 0.25f, 1, 1001);
        ops.adamStep(new AdamSpec(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, true, 3), new long[] {1, 2}, new long[] {3, 4},
                new long[] {5, 6}, new long[] {7, 8}, new long[] {10, 100_000});
        ops.sgdStep(new SgdSpec(0.1f, 0.9f, 0f, 0f, true, false), new long[] {1}, new long[] {2}, new long[] {3}, new long[] {50});
        // ---- indexing (issue 11) ----
        ops.indexGather(new IndexSpec("gather", 1, 4, 9, 5, 3, false, -1), 4, true, 1, 2, 3, 4, 0);
        ops.indexScatterAdd(new IndexSpec("embedding", 0, 1, 50, 70, 16, true, 0), false, 1, 2, 3, 4, 1);
        ops.oneHot(10, 33, true, 1, 2, 3, 2);
        ops.indexRange(1000, false, 1, 2);
    }
}
