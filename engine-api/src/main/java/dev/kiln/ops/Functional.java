package dev.kiln.ops;

import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * Every differentiable op of Kiln as a static function (PyTorch's {@code torch} and
 * {@code torch.nn.functional} in one place). Tensor instance methods delegate here. Each op
 * validates its inputs (shape, dtype, device, options) and throws
 * {@link IllegalArgumentException} naming the op, what was expected and what was given,
 * then runs on the inputs' backend and records its backward rule when a gradient is needed.
 */
public final class Functional {
    private Functional() {}

    private static UnsupportedOperationException todo(String op) {
        return new UnsupportedOperationException(op + ": not implemented yet");
    }

    // ---- elementwise arithmetic (NumPy broadcasting) ----

    /** {@code a + b}, broadcasting. */
    public static Tensor add(Tensor a, Tensor b) { throw todo("add"); }
    /** {@code a - b}, broadcasting. */
    public static Tensor sub(Tensor a, Tensor b) { throw todo("sub"); }
    /** {@code a * b}, broadcasting. */
    public static Tensor mul(Tensor a, Tensor b) { throw todo("mul"); }
    /** {@code a / b}, broadcasting. */
    public static Tensor div(Tensor a, Tensor b) { throw todo("div"); }
    /** {@code x + s}. */
    public static Tensor add(Tensor x, float s) { throw todo("add"); }
    /** {@code x * s}. */
    public static Tensor mul(Tensor x, float s) { throw todo("mul"); }
    /** {@code x ^ s}. */
    public static Tensor pow(Tensor x, float s) { throw todo("pow"); }
    /** {@code s - x}. */
    public static Tensor rsub(Tensor x, float s) { throw todo("rsub"); }
    /** {@code s / x}. */
    public static Tensor rdiv(Tensor x, float s) { throw todo("rdiv"); }
    /** {@code -x}. */
    public static Tensor neg(Tensor x) { throw todo("neg"); }

    // ---- activations and elementwise functions ----

    public static Tensor relu(Tensor x) { throw todo("relu"); }
    /** {@code x > 0 ? x : slope * x}. */
    public static Tensor leakyRelu(Tensor x, float negativeSlope) { throw todo("leaky_relu"); }
    public static Tensor sigmoid(Tensor x) { throw todo("sigmoid"); }
    public static Tensor tanh(Tensor x) { throw todo("tanh"); }
    /** Exact GELU {@code x * Phi(x)}. */
    public static Tensor gelu(Tensor x) { throw todo("gelu"); }
    public static Tensor exp(Tensor x) { throw todo("exp"); }
    public static Tensor log(Tensor x) { throw todo("log"); }
    public static Tensor sqrt(Tensor x) { throw todo("sqrt"); }
    public static Tensor abs(Tensor x) { throw todo("abs"); }

    // ---- reductions ----

    /** Sum of all elements (a scalar, shape []). */
    public static Tensor sum(Tensor x) { throw todo("sum"); }
    /** Sum over {@code axes} (negative allowed); reduced axes kept as size 1 when {@code keepDim}. */
    public static Tensor sum(Tensor x, boolean keepDim, int... axes) { throw todo("sum"); }
    /** Mean of all elements (a scalar). */
    public static Tensor mean(Tensor x) { throw todo("mean"); }
    /** Mean over {@code axes}. */
    public static Tensor mean(Tensor x, boolean keepDim, int... axes) { throw todo("mean"); }
    /** Index of the maximum along the last axis of a 2-D tensor {@code [N, C]}: INT32 {@code [N]}; not differentiable. */
    public static Tensor argmax(Tensor x) { throw todo("argmax"); }

    // ---- shape ----

    /** Copy with dimensions permuted: output dim i is input dim {@code perm[i]}. */
    public static Tensor permute(Tensor x, int... perm) { throw todo("permute"); }
    /** Copy with two dimensions swapped. */
    public static Tensor transpose(Tensor x, int dim0, int dim1) { throw todo("transpose"); }
    /** Explicit 2-D padding of an NCHW tensor's last two dims (zeros or circular). */
    public static Tensor pad2d(Tensor x, int top, int bottom, int left, int right, PaddingMode mode) { throw todo("pad2d"); }

    // ---- linear algebra ----

    /**
     * Matrix product: [m, k] @ [k, n] -> [m, n]; [b, m, k] @ [b, k, n] -> [b, m, n];
     * [b, m, k] @ [k, n] -> [b, m, n].
     */
    public static Tensor matmul(Tensor a, Tensor b) { throw todo("matmul"); }
    /** {@code x [N, in] @ weight[out, in]^T + bias[out]} (bias may be null). */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) { throw todo("linear"); }

    // ---- convolution and pooling (NCHW) ----

    /**
     * 2-D cross-correlation. x [N, C, H, W], weight [O, C/groups, kh, kw], bias [O] or null;
     * output [N, O, H', W'] with H' = floor((H + pad_top + pad_bottom - dil*(kh-1) - 1)/stride) + 1.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dOptions options) { throw todo("conv2d"); }
    /** Max pooling. */
    public static Tensor maxPool2d(Tensor x, Pool2dOptions options) { throw todo("max_pool2d"); }
    /** Average pooling. */
    public static Tensor avgPool2d(Tensor x, Pool2dOptions options) { throw todo("avg_pool2d"); }
    /** Mean over H and W: [N, C, H, W] -> [N, C, 1, 1]. */
    public static Tensor globalAvgPool2d(Tensor x) { throw todo("global_avg_pool2d"); }

    // ---- softmax and losses ----

    public static Tensor softmax(Tensor x, int dim) { throw todo("softmax"); }
    public static Tensor logSoftmax(Tensor x, int dim) { throw todo("log_softmax"); }
    /**
     * Cross-entropy of logits [N, C] against INT32 class indices [N], fused with log-softmax,
     * with label smoothing in [0, 1].
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, Reduction reduction, float labelSmoothing) { throw todo("cross_entropy"); }
    /** Mean squared error between same-shaped tensors. */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) { throw todo("mse_loss"); }

    // ---- regularisation and normalisation ----

    /**
     * Inverted dropout: in training, zeroes each element with probability p (mask from
     * {@code generator}, Philox) and scales the rest by 1/(1-p); identity otherwise.
     */
    public static Tensor dropout(Tensor x, float p, boolean training, Generator generator) { throw todo("dropout"); }

    /**
     * Batch normalisation over [N, C] or [N, C, H, W] per channel. In training, uses batch
     * statistics and updates {@code runningMean}/{@code runningVar} in place (when not null);
     * otherwise normalises with the running statistics. gamma/beta [C] may be null (1 and 0).
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor gamma, Tensor beta,
                                   boolean training, float momentum, float eps) { throw todo("batch_norm"); }
}
