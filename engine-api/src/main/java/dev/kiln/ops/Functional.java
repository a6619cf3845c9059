package dev.kiln.ops;

import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.UnaryOp;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;

/**
 * Every differentiable op of Kiln as a static function (PyTorch's {@code torch} and
 * {@code torch.nn.functional} in one place). Tensor instance methods delegate here. Each op
 * validates its inputs (shape, dtype, device, options) and throws
 * {@link IllegalArgumentException} naming the op, what was expected and what was given,
 * then runs on the inputs' backend and records its backward rule when a gradient is needed.
 *
 * <p>Unless stated otherwise, tensor arguments must be non-null FLOAT32 tensors on one
 * backend (else {@link IllegalArgumentException}), and results are new tensors registered
 * in the current {@link dev.kiln.tensor.Scope}. The implementations live in small
 * package-private classes, one per op family.
 */
public final class Functional {
    private Functional() {}

    // ---- elementwise arithmetic (NumPy broadcasting) ----

    /**
     * {@code a + b}, broadcasting: the output shape is the NumPy broadcast of both shapes.
     *
     * @throws IllegalArgumentException if the shapes cannot be broadcast, dtypes are not FLOAT32 or devices differ
     */
    public static Tensor add(Tensor a, Tensor b) { return Elementwise.binary(BinaryOp.ADD, a, b); }
    /** {@return {@code a - b}, broadcasting (see {@link #add(Tensor, Tensor)} for shapes and errors)} */
    public static Tensor sub(Tensor a, Tensor b) { return Elementwise.binary(BinaryOp.SUB, a, b); }
    /** {@return {@code a * b}, broadcasting (see {@link #add(Tensor, Tensor)} for shapes and errors)} */
    public static Tensor mul(Tensor a, Tensor b) { return Elementwise.binary(BinaryOp.MUL, a, b); }
    /** {@return {@code a / b}, broadcasting (see {@link #add(Tensor, Tensor)} for shapes and errors)} */
    public static Tensor div(Tensor a, Tensor b) { return Elementwise.binary(BinaryOp.DIV, a, b); }
    /** {@return {@code x + s}; same shape as x} */
    public static Tensor add(Tensor x, float s) { return Elementwise.addScalar(x, s); }
    /** {@return {@code x * s}; same shape as x} */
    public static Tensor mul(Tensor x, float s) { return Elementwise.mulScalar(x, s); }
    /** {@return {@code x ^ s}; same shape as x; gradient {@code s * x^(s-1)}} */
    public static Tensor pow(Tensor x, float s) { return Elementwise.pow(x, s); }
    /** {@return {@code s - x}; same shape as x} */
    public static Tensor rsub(Tensor x, float s) { return Elementwise.rsub(x, s); }
    /** {@return {@code s / x}; same shape as x} */
    public static Tensor rdiv(Tensor x, float s) { return Elementwise.rdiv(x, s); }
    /** {@return {@code -x}; same shape as x} */
    public static Tensor neg(Tensor x) { return Activations.apply("neg", UnaryOp.NEG, 0f, x); }

    // ---- activations and elementwise functions (output shape = input shape) ----

    /** {@return {@code max(x, 0)}} */
    public static Tensor relu(Tensor x) { return Activations.apply("relu", UnaryOp.RELU, 0f, x); }
    /** {@return {@code x > 0 ? x : slope * x}} */
    public static Tensor leakyRelu(Tensor x, float negativeSlope) { return Activations.apply("leaky_relu", UnaryOp.LEAKY_RELU, negativeSlope, x); }
    /** {@return {@code 1 / (1 + exp(-x))}} */
    public static Tensor sigmoid(Tensor x) { return Activations.apply("sigmoid", UnaryOp.SIGMOID, 0f, x); }
    /** {@return hyperbolic tangent} */
    public static Tensor tanh(Tensor x) { return Activations.apply("tanh", UnaryOp.TANH, 0f, x); }
    /** {@return exact GELU {@code x * Phi(x)}} */
    public static Tensor gelu(Tensor x) { return Activations.apply("gelu", UnaryOp.GELU, 0f, x); }
    /** {@return {@code e^x}} */
    public static Tensor exp(Tensor x) { return Activations.apply("exp", UnaryOp.EXP, 0f, x); }
    /** {@return natural logarithm} */
    public static Tensor log(Tensor x) { return Activations.apply("log", UnaryOp.LOG, 0f, x); }
    /** {@return square root} */
    public static Tensor sqrt(Tensor x) { return Activations.apply("sqrt", UnaryOp.SQRT, 0f, x); }
    /** {@return absolute value (gradient 0 at 0)} */
    public static Tensor abs(Tensor x) { return Activations.apply("abs", UnaryOp.ABS, 0f, x); }

    // ---- reductions ----

    /** {@return sum of all elements (a scalar, shape [])} */
    public static Tensor sum(Tensor x) { return Reductions.reduce("sum", x, false, new int[0], false); }
    /**
     * Sum over {@code axes} (negative allowed; none means all); reduced axes kept as size 1
     * when {@code keepDim}, removed otherwise.
     *
     * @throws IllegalArgumentException if an axis is out of range or repeated
     */
    public static Tensor sum(Tensor x, boolean keepDim, int... axes) { return Reductions.reduce("sum", x, keepDim, axes, false); }
    /** {@return mean of all elements (a scalar, shape [])} */
    public static Tensor mean(Tensor x) { return Reductions.reduce("mean", x, false, new int[0], true); }
    /** {@return mean over {@code axes}; shapes and errors as {@link #sum(Tensor, boolean, int...)}} */
    public static Tensor mean(Tensor x, boolean keepDim, int... axes) { return Reductions.reduce("mean", x, keepDim, axes, true); }
    /**
     * Index of the maximum along the last axis of a 2-D tensor {@code [N, C]}: INT32 {@code [N]}
     * (first index on ties); not differentiable.
     *
     * @throws IllegalArgumentException if x is not 2-D FLOAT32 or C is 0
     */
    public static Tensor argmax(Tensor x) { return Reductions.argmax(x); }

    // ---- shape ----

    /**
     * Copy with dimensions permuted: output dim i is input dim {@code perm[i]}. Runs through
     * host memory (the SPI has no permute); not meant for hot paths. Any dtype.
     *
     * @throws IllegalArgumentException if perm is not a permutation of the tensor's dimensions
     */
    public static Tensor permute(Tensor x, int... perm) { return Shaping.permute(x, perm); }
    /** {@return copy with two dimensions swapped (negative allowed); see {@link #permute}} */
    public static Tensor transpose(Tensor x, int dim0, int dim1) { return Shaping.transpose(x, dim0, dim1); }
    /**
     * Explicit 2-D padding of an NCHW tensor's last two dims (zeros or circular):
     * [N, C, H, W] -> [N, C, H + top + bottom, W + left + right].
     *
     * @throws IllegalArgumentException if x is not 4-D, a pad is negative, or a circular pad exceeds the size
     */
    public static Tensor pad2d(Tensor x, int top, int bottom, int left, int right, PaddingMode mode) {
        return Shaping.pad2d(x, top, bottom, left, right, mode);
    }

    // ---- linear algebra ----

    /**
     * Matrix product: [m, k] @ [k, n] -> [m, n]; [b, m, k] @ [b, k, n] -> [b, m, n];
     * [b, m, k] @ [k, n] -> [b, m, n]; [m, k] @ [b, k, n] -> [b, m, n].
     *
     * @throws IllegalArgumentException on other ranks, differing inner or batch dimensions
     */
    public static Tensor matmul(Tensor a, Tensor b) { return LinearAlgebra.matmul(a, b); }
    /**
     * {@code x [..., in] @ weight[out, in]^T + bias[out]} (bias may be null) -> [..., out].
     *
     * @throws IllegalArgumentException if weight is not 2-D, x's last dim is not {@code in}, or bias is not [out]
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) { return LinearAlgebra.linear(x, weight, bias); }

    // ---- convolution and pooling (NCHW) ----

    /**
     * 2-D cross-correlation. x [N, C, H, W], weight [O, C/groups, kh, kw], bias [O] or null;
     * output [N, O, H', W'] with H' = floor((H + pad_top + pad_bottom - dil*(kh-1) - 1)/stride) + 1.
     *
     * @throws IllegalArgumentException if ranks, channels, groups or bias disagree, if 'same'
     *         padding is used with a stride other than 1, or if the dilated kernel exceeds the padded input
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dOptions options) {
        return Convolution.conv2d(x, weight, bias, options);
    }
    /**
     * {@code relu(conv2d(x, weight, bias, options))} as one op: the backend applies the ReLU as the
     * convolution's output is written and, in backward, computes the bias gradient in the same pass
     * as the ReLU's gradient. Same values as the composition; the output has no separate
     * pre-activation tensor.
     *
     * @throws IllegalArgumentException as {@link #conv2d}
     */
    public static Tensor conv2dRelu(Tensor x, Tensor weight, Tensor bias, Conv2dOptions options) {
        return Convolution.conv2d(x, weight, bias, options, true);
    }
    /**
     * Max pooling: [N, C, H, W] -> [N, C, H', W'] (PyTorch's output size, ceil mode included).
     *
     * @throws IllegalArgumentException if x is not 4-D, padding exceeds half the kernel, or the window exceeds the padded input
     */
    public static Tensor maxPool2d(Tensor x, Pool2dOptions options) { return Pooling.maxPool2d(x, options); }
    /**
     * Average pooling: [N, C, H, W] -> [N, C, H', W'].
     *
     * @throws IllegalArgumentException as {@link #maxPool2d}, and if a dilation other than 1 is given
     */
    public static Tensor avgPool2d(Tensor x, Pool2dOptions options) { return Pooling.avgPool2d(x, options); }
    /**
     * Mean over H and W: [N, C, H, W] -> [N, C, 1, 1].
     *
     * @throws IllegalArgumentException if x is not 4-D
     */
    public static Tensor globalAvgPool2d(Tensor x) { return Pooling.globalAvgPool2d(x); }

    // ---- softmax and losses ----

    /**
     * Softmax along {@code dim} (negative allowed); output shape = input shape.
     *
     * @throws IllegalArgumentException if dim is out of range
     */
    public static Tensor softmax(Tensor x, int dim) { return Softmax.softmax("softmax", x, dim, false); }
    /** {@return log-softmax along {@code dim}; shapes and errors as {@link #softmax}} */
    public static Tensor logSoftmax(Tensor x, int dim) { return Softmax.softmax("log_softmax", x, dim, true); }
    /**
     * Cross-entropy of logits [N, C] against INT32 class indices [N], fused with log-softmax,
     * with label smoothing in [0, 1]. Output: a scalar [] for MEAN/SUM, per-sample [N] for NONE.
     * A target outside [0, C) throws (possibly at the next synchronisation on an asynchronous backend).
     *
     * @throws IllegalArgumentException if shapes or dtypes are wrong or label smoothing is outside [0, 1]
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, Reduction reduction, float labelSmoothing) {
        return Losses.crossEntropy(logits, targets, reduction, labelSmoothing);
    }
    /**
     * Mean squared error between same-shaped tensors: a scalar [] for MEAN/SUM, the input's shape for NONE.
     *
     * @throws IllegalArgumentException if the shapes differ
     */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) { return Losses.mseLoss(input, target, reduction); }

    // ---- regularisation and normalisation ----

    /**
     * Inverted dropout: in training, zeroes each element with probability p (mask from
     * {@code generator}, Philox; the default generator when null) and scales the rest by
     * 1/(1-p); returns x itself when not training or p is 0. Output shape = input shape.
     *
     * @throws IllegalArgumentException if p is outside [0, 1]
     */
    public static Tensor dropout(Tensor x, float p, boolean training, Generator generator) {
        return Dropout.dropout(x, p, training, generator);
    }

    /**
     * Batch normalisation over [N, C] or [N, C, H, W] per channel; output shape = input shape.
     * In training, uses batch statistics and updates {@code runningMean}/{@code runningVar} in
     * place (when not null); otherwise normalises with the running statistics (or with batch
     * statistics when they are null). gamma/beta [C] may be null (1 and 0).
     *
     * @throws IllegalArgumentException if x is not 2-D or 4-D, a [C] argument has another shape,
     *         eps/momentum are invalid, or training sees a single value per channel
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor gamma, Tensor beta,
                                   boolean training, float momentum, float eps) {
        return Normalization.batchNorm(x, runningMean, runningVar, gamma, beta, training, momentum, eps);
    }
}
