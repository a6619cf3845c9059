package dev.kiln.testing;


import dev.kiln.ops.Conv2dOptions;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Padding;
import dev.kiln.ops.PaddingMode;
import dev.kiln.ops.Pool2dOptions;
import dev.kiln.ops.Reduction;
import dev.kiln.tensor.Device;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Bad input: every error names the op, what it expected and what it got, with the shapes
 * involved (PyTorch's conv2d message is the bar). Options records validate on construction,
 * before any tensor is known, so their messages name the option and value but no shape.
 */
public interface ErrorChecks extends BackendUnderTest {



    @Test
    default void conv2dWrongChannelCount() {
        rejects(() -> Functional.conv2d(ones(2, 3, 8, 8), ones(4, 1, 3, 3), null, Conv2dOptions.defaults()),
                "conv2d", "input has 3 channels", "weight expects 1", "[4, 1, 3, 3]", "[2, 3, 8, 8]");
    }

    @Test
    default void conv2dWrongGroups() {
        rejects(() -> Functional.conv2d(ones(1, 3, 5, 5), ones(4, 1, 3, 3), null, Conv2dOptions.defaults().groups(2)),
                "conv2d", "input has 3 channels", "weight expects 2", "groups=2", "[4, 1, 3, 3]", "[1, 3, 5, 5]");
        rejects(() -> Functional.conv2d(ones(1, 4, 5, 5), ones(3, 2, 3, 3), null, Conv2dOptions.defaults().groups(2)),
                "conv2d", "out_channels=3", "groups=2", "[3, 2, 3, 3]", "[1, 4, 5, 5]");
        rejects(() -> Conv2dOptions.defaults().groups(0), "conv2d", "groups", ">= 1", "0");
    }

    @Test
    default void conv2dWrongRankAndBias() {
        rejects(() -> Functional.conv2d(ones(1, 3, 3), ones(1, 1, 2, 2), null, Conv2dOptions.defaults()),
                "conv2d", "4-D input", "[1, 3, 3]");
        rejects(() -> Functional.conv2d(ones(1, 2, 4, 4), ones(3, 2, 2, 2), ones(4), Conv2dOptions.defaults()),
                "conv2d", "bias", "[4]", "expected [3]");
    }

    @Test
    default void strideZero() {
        rejects(() -> Conv2dOptions.defaults().stride(0), "conv2d", "stride", ">= 1", "0");
        rejects(() -> Pool2dOptions.kernel(2).stride(0), "pool2d", "stride", ">= 1", "0");
        rejects(() -> Conv2dOptions.defaults().dilation(0, 1), "conv2d", "dilation", ">= 1", "0");
    }

    @Test
    default void negativePadding() {
        rejects(() -> Padding.of(-1), "conv2d", "padding", ">= 0", "-1");
        rejects(() -> Padding.of(0, 0, 1, -2), "conv2d", "padding", ">= 0", "-2");
        rejects(() -> Pool2dOptions.kernel(3).padding(-1), "pool2d", "padding", ">= 0", "-1");
        rejects(() -> Functional.pad2d(ones(1, 1, 3, 3), -1, 0, 0, 0, PaddingMode.ZEROS), "pad2d", ">= 0", "-1", "[1, 1, 3, 3]");
    }

    @Test
    default void kernelLargerThanPaddedInput() {
        rejects(() -> Functional.conv2d(ones(1, 1, 3, 3), ones(1, 1, 5, 5), null, Conv2dOptions.defaults().padding(Padding.of(0, 1, 0, 0))),
                "conv2d", "kernel size (5, 5)", "padded input (4, 3)", "[1, 1, 5, 5]", "[1, 1, 3, 3]");
        rejects(() -> Functional.conv2d(ones(1, 1, 5, 5), ones(1, 1, 3, 3), null, Conv2dOptions.defaults().dilation(3)),
                "conv2d", "kernel size (7, 7)", "(dilated)", "padded input (5, 5)", "[1, 1, 5, 5]");
        rejects(() -> Functional.maxPool2d(ones(1, 1, 3, 3), Pool2dOptions.kernel(5)),
                "max_pool2d", "kernel size (5, 5)", "padded input (3, 3)", "[1, 1, 3, 3]");
        rejects(() -> Functional.avgPool2d(ones(2, 1, 4, 3), Pool2dOptions.kernel(4)),
                "avg_pool2d", "kernel size (4, 4)", "padded input (4, 3)", "[2, 1, 4, 3]");
    }

    @Test
    default void poolingOptionsThatDoNotApply() {
        rejects(() -> Functional.avgPool2d(ones(1, 1, 6, 6), Pool2dOptions.kernel(2).dilation(2)),
                "avg_pool2d", "dilation", "(2, 2)", "[1, 1, 6, 6]");
        rejects(() -> Functional.maxPool2d(ones(1, 1, 6, 6), Pool2dOptions.kernel(2).padding(2)),
                "max_pool2d", "padding (2, 2)", "half the kernel size (2, 2)", "[1, 1, 6, 6]");
        rejects(() -> Functional.maxPool2d(ones(6, 6), Pool2dOptions.kernel(2)), "max_pool2d", "4-D input", "[6, 6]");
    }

    @Test
    default void samePaddingNeedsStrideOne() {
        rejects(() -> Functional.conv2d(ones(1, 1, 6, 6), ones(1, 1, 3, 3), null, Conv2dOptions.defaults().padding(Padding.same()).stride(2)),
                "conv2d", "'same'", "stride 1", "(2, 2)");
    }

    @Test
    default void circularPaddingLargerThanInput() {
        rejects(() -> Functional.conv2d(ones(1, 1, 2, 2), ones(1, 1, 1, 1), null,
                        Conv2dOptions.defaults().padding(3).paddingMode(PaddingMode.CIRCULAR)),
                "conv2d", "circular padding", "input size (2, 2)", "[1, 1, 2, 2]");
    }

    @Test
    default void matmulMismatchedDims() {
        rejects(() -> Functional.matmul(ones(2, 3), ones(4, 5)), "matmul", "3", "4", "[2, 3]", "[4, 5]");
        rejects(() -> Functional.matmul(ones(2, 3, 4), ones(3, 4, 5)), "matmul", "batch", "[2, 3, 4]", "[3, 4, 5]");
        rejects(() -> Functional.matmul(ones(3), ones(4)), "matmul", "3 != 4", "[3]", "[4]");
        rejects(() -> Functional.linear(ones(2, 3), ones(4, 5), null), "linear", "3 features", "expects 5", "[4, 5]", "[2, 3]");
        rejects(() -> Functional.linear(ones(2, 5), ones(4, 5), ones(5)), "linear", "bias", "[5]", "expected [4]");
    }

    @Test
    default void badAxes() {
        rejects(() -> ones(2, 3).sum(false, 2), "sum", "dimension 2", "[2, 3]");
        rejects(() -> ones(2, 3).mean(true, -3), "mean", "dimension -3", "[2, 3]");
        rejects(() -> ones(2, 3).sum(false, 1, -1), "sum", "more than once", "[2, 3]");
        rejects(() -> ones(2, 3).softmax(2), "softmax", "dimension 2", "[2, 3]");
        rejects(() -> ones(2, 3).logSoftmax(-3), "log_softmax", "dimension -3", "[2, 3]");
    }

    @Test
    default void badTargets() {
        rejects(() -> Functional.crossEntropy(ones(3, 4), Tensor.fromInts(backend(), new int[] {0, 1}, 2), Reduction.MEAN, 0f),
                "cross_entropy", "[N, C]", "[N]", "[3, 4]", "[2]");
        rejects(() -> Functional.crossEntropy(ones(2, 4), ones(2), Reduction.MEAN, 0f),
                "cross_entropy", "INT32", "FLOAT32", "[2]");
        rejects(() -> Functional.crossEntropy(ones(2, 4), Tensor.fromInts(backend(), new int[] {0, 1}, 2), Reduction.MEAN, 1.5f),
                "cross_entropy", "label_smoothing", "[0, 1]", "1.5");
        // An asynchronous backend may report a bad index at the next synchronisation: item() forces one.
        for (int bad : new int[] {4, -1}) {
            rejects(() -> Functional.crossEntropy(ones(2, 4), Tensor.fromInts(backend(), new int[] {0, bad}, 2), Reduction.SUM, 0f).item(),
                    "cross_entropy", "out of range [0, 4)");
        }
        rejects(() -> Functional.mseLoss(ones(2, 3), ones(3, 2), Reduction.MEAN), "mse_loss", "[2, 3]", "[3, 2]");
    }

    @Test
    default void shapeMismatch() {
        rejects(() -> ones(2, 3).add(ones(4, 3)), "add", "[2, 3]", "[4, 3]", "broadcast", "2 vs 4");
        rejects(() -> ones(5).mul(ones(2, 4)), "mul", "[5]", "[2, 4]");
        rejects(() -> Functional.batchNorm(ones(2, 2, 3, 3), null, null, ones(3), null, true, 0.1f, 1e-5f),
                "batch_norm", "weight", "[3]", "expected [2]");
        rejects(() -> Functional.batchNorm(ones(1, 2, 1, 1), null, null, null, null, true, 0.1f, 1e-5f),
                "batch_norm", "more than 1 value per channel", "[1, 2, 1, 1]");
        rejects(() -> Functional.dropout(ones(2, 2), 1.5f, true, null), "dropout", "[0, 1]", "1.5");
    }

    @Test
    default void dtypeMismatch() {
        rejects(() -> ones(3).add(Tensor.fromInts(backend(), new int[] {1, 2, 3}, 3)), "add", "FLOAT32", "INT32", "[3]");
        rejects(() -> Functional.conv2d(ones(1, 1, 3, 3), Tensor.fromInts(backend(), new int[4], 1, 1, 2, 2), null, Conv2dOptions.defaults()),
                "conv2d", "FLOAT32", "INT32", "[1, 1, 2, 2]");
        rejects(() -> Tensor.fromInts(backend(), new int[] {1, 2}, 2).relu(), "relu", "FLOAT32", "INT32", "[2]");
    }

    @Test
    default void deviceMismatch() {
        var foreign = HostOnlyBackend.create("fake", Device.cuda(7));
        rejects(() -> ones(2, 3).add(Tensor.full(foreign, 1f, 2, 3)),
                "add", "different devices", "expected every tensor on " + backend().device(), "on cuda:7", "[2, 3]");
        rejects(() -> Functional.conv2d(ones(1, 1, 3, 3), Tensor.full(foreign, 1f, 1, 1, 2, 2), null, Conv2dOptions.defaults()),
                "conv2d", "different devices", "cuda:7", "[1, 1, 3, 3]", "[1, 1, 2, 2]");
        rejects(() -> Functional.matmul(ones(2, 3), Tensor.full(foreign, 1f, 3, 2)), "matmul", "different devices", "[2, 3]", "[3, 2]");
    }
}
