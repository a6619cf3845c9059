package dev.kiln.cuda.kernels;

import dev.kiln.spi.AdamSpec;
import dev.kiln.spi.AttentionSpec;
import dev.kiln.spi.ArgReduceSpec;
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
import dev.kiln.spi.TopkSpec;
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
        ops.crossEntropy(ce, 1, 2, 3, 4, 5, 6);
        ops.crossEntropyBackward(ce, 1, 2, 3, 4);
        ops.dropoutMask(42L, 3, 0.25f, 1, 1001);
        ops.adamStep(new AdamSpec(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, true, 3), new long[] {1, 2}, new long[] {3, 4},
                new long[] {5, 6}, new long[] {7, 8}, new long[] {10, 100_000});
        ops.sgdStep(new SgdSpec(0.1f, 0.9f, 0f, 0f, true, false), new long[] {1}, new long[] {2}, new long[] {3}, new long[] {50});
        // ---- layer and RMS normalisation (issue 11) ----
        dev.kiln.spi.LayerNormSpec ln = new dev.kiln.spi.LayerNormSpec(64, 100, 1e-5f, false);
        ops.layerNorm(ln, 1, 2, 3, 4, 5, 6);
        ops.layerNormBackward(ln, 1, 2, 3, 4, 5, 6, 7, 8);
        // ---- attention (issue 11) ----
        AttentionSpec att = new AttentionSpec(2, 4, 70, 33, 16, 8, 0.25f, true, AttentionSpec.MaskKind.ADDITIVE,
                new long[] {0, 0, 33, 1}, 0.1f, 42L, 7L);
        ops.attention(att, 1, 2, 3, 4, 5, 6);
        ops.attentionBackward(att, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        // ---- value and index reductions (issue 11) ----
        ops.argReduce(new ArgReduceSpec(6, 10, 1, true), 1, 2, 3);   // rows: a warp per row
        ops.argReduce(new ArgReduceSpec(6, 10, 7, false), 1, 0, 3);  // strided lines, indices only
        TopkSpec topk = new TopkSpec(4, 10, 3, 2, true, true);
        ops.topk(topk, 1, 2, 3);
        ops.topkBackward(topk, 1, 2, 3);
        // ---- masks and dtypes (issue 11) ----
        StridedCopySpec narrow = new StridedCopySpec(new int[] {3, 4}, 5, new long[] {8, 1}, 0, new long[] {4, 1});
        ops.stridedCopy(narrow, 1, 1, 2);
        ops.stridedCopy(narrow, 4, 1, 2);
        ops.stridedCopy(narrow, 8, 1, 2);
        ops.cast(dev.kiln.tensor.DType.INT64, dev.kiln.tensor.DType.FLOAT32, 1, 2, 500);
        Broadcast rows = Broadcast.of("lt", new int[] {4, 3, 5}, new int[] {3, 1});
        for (dev.kiln.tensor.DType t : dev.kiln.tensor.DType.values()) ops.compare(dev.kiln.spi.CompareOp.LT, t, rows, 1, 2, 3);
        dev.kiln.spi.WhereSpec where = dev.kiln.spi.WhereSpec.of("where", new int[] {4, 1, 5}, new int[] {3, 1}, new int[] {});
        for (int width : new int[] {1, 4, 8}) {
            ops.where(where, width, 1, 2, 3, 4);
            ops.triangle(new dev.kiln.spi.TriangleSpec(2, 5, 7, -1, width == 4), width, 1, 2);
        }
        // ---- recurrent cells (issue 11) ----
        dev.kiln.spi.RnnCellSpec cell = new dev.kiln.spi.RnnCellSpec(4, 8);
        ops.lstmCell(cell, 1, 2, 3, 4, 5, 6);
        ops.lstmCellBackward(cell, 1, 2, 3, 4, 5, 6, 7);
        ops.gruCell(cell, 1, 2, 3, 4, 5);
        ops.gruCellBackward(cell, 1, 2, 3, 4, 5, 6, 7);
        // ---- indexing (issue 11) ----
        ops.indexGather(new IndexSpec("gather", 1, 4, 9, 5, 3, false, -1), 4, true, 1, 2, 3, 4, 0);
        ops.indexScatterAdd(new IndexSpec("embedding", 0, 1, 50, 70, 16, true, 0), false, 1, 2, 3, 4, 1);
        ops.oneHot(10, 33, true, 1, 2, 3, 2);
        ops.indexRange(1000, false, 1, 2);
    }
}
