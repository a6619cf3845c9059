package dev.kiln.ops;

import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.UnaryOp;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.ValuesAndIndices;

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
     * {@code a + b}, broadcasting: the output shape is the NumPy broadcast of both shapes
     * (right-aligned; each dimension equal, or 1 in one of them).
     *
     * @param a first operand
     * @param b second operand
     * @return the sum, shaped as the broadcast of both shapes
     * @throws IllegalArgumentException if the shapes cannot be broadcast, dtypes are not FLOAT32 or devices differ
     */
    public static Tensor add(Tensor a, Tensor b) { return Elementwise.binary(BinaryOp.ADD, a, b); }
    /**
     * {@code a - b}, broadcasting as {@link #add(Tensor, Tensor)}.
     *
     * @param a minuend
     * @param b subtrahend
     * @return the difference, shaped as the broadcast of both shapes
     * @throws IllegalArgumentException as {@link #add(Tensor, Tensor)}
     */
    public static Tensor sub(Tensor a, Tensor b) { return Elementwise.binary(BinaryOp.SUB, a, b); }
    /**
     * {@code a * b} elementwise, broadcasting as {@link #add(Tensor, Tensor)}.
     *
     * @param a first factor
     * @param b second factor
     * @return the product, shaped as the broadcast of both shapes
     * @throws IllegalArgumentException as {@link #add(Tensor, Tensor)}
     */
    public static Tensor mul(Tensor a, Tensor b) { return Elementwise.binary(BinaryOp.MUL, a, b); }
    /**
     * {@code a / b} elementwise, broadcasting as {@link #add(Tensor, Tensor)}; division by zero
     * follows IEEE 754 (an infinity or NaN, no exception).
     *
     * @param a dividend
     * @param b divisor
     * @return the quotient, shaped as the broadcast of both shapes
     * @throws IllegalArgumentException as {@link #add(Tensor, Tensor)}
     */
    public static Tensor div(Tensor a, Tensor b) { return Elementwise.binary(BinaryOp.DIV, a, b); }
    /**
     * {@code x + s}.
     *
     * @param x the tensor
     * @param s the scalar
     * @return a tensor shaped as {@code x}
     */
    public static Tensor add(Tensor x, float s) { return Elementwise.addScalar(x, s); }
    /**
     * {@code x * s}.
     *
     * @param x the tensor
     * @param s the scalar
     * @return a tensor shaped as {@code x}
     */
    public static Tensor mul(Tensor x, float s) { return Elementwise.mulScalar(x, s); }
    /**
     * {@code x ^ s}; gradient {@code s * x^(s-1)}.
     *
     * @param x the base
     * @param s the exponent
     * @return a tensor shaped as {@code x}
     */
    public static Tensor pow(Tensor x, float s) { return Elementwise.pow(x, s); }
    /**
     * {@code s - x} (reversed subtraction).
     *
     * @param x the subtrahend
     * @param s the minuend
     * @return a tensor shaped as {@code x}
     */
    public static Tensor rsub(Tensor x, float s) { return Elementwise.rsub(x, s); }
    /**
     * {@code s / x} (reversed division).
     *
     * @param x the divisor
     * @param s the dividend
     * @return a tensor shaped as {@code x}
     */
    public static Tensor rdiv(Tensor x, float s) { return Elementwise.rdiv(x, s); }
    /**
     * {@code -x}.
     *
     * @param x the tensor
     * @return a tensor shaped as {@code x}
     */
    public static Tensor neg(Tensor x) { return Activations.apply("neg", UnaryOp.NEG, 0f, x); }

    // ---- activations and elementwise functions (output shape = input shape) ----

    /**
     * ReLU, {@code max(x, 0)}; gradient 0 at 0.
     *
     * @param x the tensor
     * @return a tensor shaped as {@code x}
     */
    public static Tensor relu(Tensor x) { return Activations.apply("relu", UnaryOp.RELU, 0f, x); }
    /**
     * Leaky ReLU, {@code x > 0 ? x : negativeSlope * x}.
     *
     * @param x             the tensor
     * @param negativeSlope slope for negative inputs (PyTorch's default is 0.01)
     * @return a tensor shaped as {@code x}
     */
    public static Tensor leakyRelu(Tensor x, float negativeSlope) { return Activations.apply("leaky_relu", UnaryOp.LEAKY_RELU, negativeSlope, x); }
    /**
     * Logistic sigmoid, {@code 1 / (1 + exp(-x))}.
     *
     * @param x the tensor
     * @return a tensor shaped as {@code x}, values in [0, 1]
     */
    public static Tensor sigmoid(Tensor x) { return Activations.apply("sigmoid", UnaryOp.SIGMOID, 0f, x); }
    /**
     * Hyperbolic tangent.
     *
     * @param x the tensor
     * @return a tensor shaped as {@code x}, values in [-1, 1]
     */
    public static Tensor tanh(Tensor x) { return Activations.apply("tanh", UnaryOp.TANH, 0f, x); }
    /**
     * Exact GELU, {@code x * Phi(x)} with Phi the standard normal CDF (not the tanh approximation).
     *
     * @param x the tensor
     * @return a tensor shaped as {@code x}
     */
    public static Tensor gelu(Tensor x) { return Activations.apply("gelu", UnaryOp.GELU, 0f, x); }
    /**
     * GELU in the form {@code approximate} selects, as {@code torch.nn.functional.gelu(x, approximate=...)}:
     * {@link GeluApproximation#NONE} is {@link #gelu(Tensor)}, {@link GeluApproximation#TANH} is
     * {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))} (GPT-2's).
     *
     * @param x           the tensor
     * @param approximate the form to compute
     * @return a tensor shaped as {@code x}
     * @throws NullPointerException if {@code approximate} is null
     */
    public static Tensor gelu(Tensor x, GeluApproximation approximate) {
        if (approximate == null) throw new NullPointerException("gelu: approximate must not be null (use GeluApproximation.NONE)");
        return switch (approximate) {
            case NONE -> gelu(x);
            case TANH -> Activations.apply("gelu", UnaryOp.GELU_TANH, 0f, x);
        };
    }
    /**
     * SiLU (swish), {@code x * sigmoid(x)}.
     *
     * @param x the tensor
     * @return a tensor shaped as {@code x}
     */
    public static Tensor silu(Tensor x) { return Activations.apply("silu", UnaryOp.SILU, 0f, x); }
    /**
     * Sine, with {@code x} in radians.
     *
     * @param x the tensor
     * @return a tensor shaped as {@code x}, values in [-1, 1]
     */
    public static Tensor sin(Tensor x) { return Activations.apply("sin", UnaryOp.SIN, 0f, x); }
    /**
     * Cosine, with {@code x} in radians.
     *
     * @param x the tensor
     * @return a tensor shaped as {@code x}, values in [-1, 1]
     */
    public static Tensor cos(Tensor x) { return Activations.apply("cos", UnaryOp.COS, 0f, x); }
    /**
     * Reciprocal square root {@code 1 / sqrt(x)} (NaN below 0, positive infinity at 0).
     *
     * @param x the tensor
     * @return a tensor shaped as {@code x}
     */
    public static Tensor rsqrt(Tensor x) { return Activations.apply("rsqrt", UnaryOp.RSQRT, 0f, x); }
    /**
     * Clamps into {@code [min, max]}, as {@code torch.clamp(x, min, max)}: {@code min(max(x, min), max)},
     * so every element is {@code max} when {@code min > max}; NaN stays NaN. The gradient is 1 where
     * {@code min <= x <= max} (bounds included) and 0 elsewhere.
     *
     * @param x   the tensor
     * @param min the lower bound
     * @param max the upper bound
     * @return a tensor shaped as {@code x}
     * @throws IllegalArgumentException if a bound is NaN
     */
    public static Tensor clamp(Tensor x, float min, float max) {
        return clampMax(clampMin(x, min), max);
    }
    /**
     * Clamps from below only, as {@code torch.clamp(x, min=min)}: {@code max(x, min)}, NaN kept;
     * gradient 1 where {@code x >= min}, else 0.
     *
     * @param x   the tensor
     * @param min the lower bound
     * @return a tensor shaped as {@code x}
     * @throws IllegalArgumentException if {@code min} is NaN
     */
    public static Tensor clampMin(Tensor x, float min) {
        if (Float.isNaN(min)) throw new IllegalArgumentException("clamp: min must be a number, found NaN");
        return Activations.apply("clamp", UnaryOp.CLAMP_MIN, min, x);
    }
    /**
     * Clamps from above only, as {@code torch.clamp(x, max=max)}: {@code min(x, max)}, NaN kept;
     * gradient 1 where {@code x <= max}, else 0.
     *
     * @param x   the tensor
     * @param max the upper bound
     * @return a tensor shaped as {@code x}
     * @throws IllegalArgumentException if {@code max} is NaN
     */
    public static Tensor clampMax(Tensor x, float max) {
        if (Float.isNaN(max)) throw new IllegalArgumentException("clamp: max must be a number, found NaN");
        return Activations.apply("clamp", UnaryOp.CLAMP_MAX, max, x);
    }
    /**
     * {@code e^x}.
     *
     * @param x the tensor
     * @return a tensor shaped as {@code x}
     */
    public static Tensor exp(Tensor x) { return Activations.apply("exp", UnaryOp.EXP, 0f, x); }
    /**
     * Natural logarithm (NaN below 0, negative infinity at 0).
     *
     * @param x the tensor
     * @return a tensor shaped as {@code x}
     */
    public static Tensor log(Tensor x) { return Activations.apply("log", UnaryOp.LOG, 0f, x); }
    /**
     * Square root (NaN below 0).
     *
     * @param x the tensor
     * @return a tensor shaped as {@code x}
     */
    public static Tensor sqrt(Tensor x) { return Activations.apply("sqrt", UnaryOp.SQRT, 0f, x); }
    /**
     * Absolute value (gradient 0 at 0).
     *
     * @param x the tensor
     * @return a tensor shaped as {@code x}
     */
    public static Tensor abs(Tensor x) { return Activations.apply("abs", UnaryOp.ABS, 0f, x); }

    // ---- reductions ----

    /**
     * Sum of all elements.
     *
     * @param x the tensor
     * @return a scalar, shape {@code []}
     */
    public static Tensor sum(Tensor x) { return Reductions.reduce("sum", x, false, new int[0], false); }
    /**
     * Sum over {@code axes} (negative allowed; none means all); reduced axes kept as size 1
     * when {@code keepDim}, removed otherwise. For example {@code [N, C, H, W]} summed over
     * {@code 2, 3} gives {@code [N, C]}, or {@code [N, C, 1, 1]} with {@code keepDim}.
     *
     * @param x       the tensor
     * @param keepDim keep reduced axes as size 1
     * @param axes    the axes to sum over
     * @return the sums
     * @throws IllegalArgumentException if an axis is out of range or repeated
     */
    public static Tensor sum(Tensor x, boolean keepDim, int... axes) { return Reductions.reduce("sum", x, keepDim, axes, false); }
    /**
     * Mean of all elements (NaN for an empty tensor).
     *
     * @param x the tensor
     * @return a scalar, shape {@code []}
     */
    public static Tensor mean(Tensor x) { return Reductions.reduce("mean", x, false, new int[0], true); }
    /**
     * Mean over {@code axes}; shapes and errors as {@link #sum(Tensor, boolean, int...)}.
     *
     * @param x       the tensor
     * @param keepDim keep reduced axes as size 1
     * @param axes    the axes to average over (none means all)
     * @return the means
     * @throws IllegalArgumentException if an axis is out of range or repeated
     */
    public static Tensor mean(Tensor x, boolean keepDim, int... axes) { return Reductions.reduce("mean", x, keepDim, axes, true); }
    /**
     * Variance along {@code dim}, as {@code torch.var(x, dim, correction=correction, keepdim=keepDim)}:
     * {@code sum((x - mean)^2) / (n - correction)} with n the size of {@code dim}; correction 1 is
     * Bessel's (unbiased, PyTorch's default), 0 the population variance. {@code n <= correction}
     * gives infinity or NaN, as in PyTorch.
     *
     * @param x          the tensor
     * @param dim        the dimension to reduce (negative counts from the end)
     * @param correction subtracted from n in the divisor, {@code >= 0}
     * @param keepDim    keep {@code dim} as size 1 instead of removing it
     * @return the variances
     * @throws IllegalArgumentException if {@code dim} is out of range, {@code correction} is negative
     *                                  or the dtype is not FLOAT32
     */
    public static Tensor var(Tensor x, int dim, int correction, boolean keepDim) { return Statistics.var("var", x, dim, correction, keepDim); }
    /**
     * Standard deviation along {@code dim}, {@code sqrt(var(x, dim, correction, keepDim))}, as
     * {@code torch.std}; see {@link #var(Tensor, int, int, boolean)}. Its gradient is NaN or infinite
     * where the deviation is 0, as in PyTorch.
     *
     * @param x          the tensor
     * @param dim        the dimension to reduce (negative counts from the end)
     * @param correction subtracted from n in the divisor, {@code >= 0}
     * @param keepDim    keep {@code dim} as size 1 instead of removing it
     * @return the standard deviations
     * @throws IllegalArgumentException if {@code dim} is out of range, {@code correction} is negative
     *                                  or the dtype is not FLOAT32
     */
    public static Tensor std(Tensor x, int dim, int correction, boolean keepDim) { return sqrt(Statistics.var("std", x, dim, correction, keepDim)); }
    /**
     * Index of the maximum along the last axis of a 2-D tensor {@code [N, C]}: INT32 {@code [N]}
     * (first index on ties); not differentiable.
     *
     * @param x scores {@code [N, C]}, for example logits
     * @return INT32 indices {@code [N]}
     * @throws IllegalArgumentException if x is not 2-D FLOAT32 or C is 0
     */
    public static Tensor argmax(Tensor x) { return Reductions.argmax(x); }

    // ---- shape ----

    /**
     * Copy with dimensions permuted: output dim i is input dim {@code perm[i]}. One device-local
     * copy ({@link dev.kiln.spi.Backend#stridedCopy}), never through host memory; the result is
     * contiguous. Backward permutes the gradient by the inverse permutation. Any dtype.
     *
     * @param x    the tensor
     * @param perm a permutation of {@code 0 .. rank-1}
     * @return a new tensor with shape {@code [shape[perm[0]], shape[perm[1]], ...]}
     * @throws IllegalArgumentException if perm is not a permutation of the tensor's dimensions
     */
    public static Tensor permute(Tensor x, int... perm) { return Shaping.permute(x, perm); }
    /**
     * Copy with two dimensions swapped; see {@link #permute}.
     *
     * @param x    the tensor
     * @param dim0 one dimension (negative counts from the end)
     * @param dim1 the other dimension
     * @return a new tensor with {@code dim0} and {@code dim1} exchanged
     * @throws IllegalArgumentException if a dimension is out of range
     */
    public static Tensor transpose(Tensor x, int dim0, int dim1) { return Shaping.transpose(x, dim0, dim1); }
    /**
     * The slice {@code start .. start + length - 1} along {@code dim}, as {@code torch.narrow}, as a
     * contiguous copy made on the tensor's device. Backward writes the gradient into a zeroed tensor
     * of the input's shape. Any dtype.
     *
     * @param x      the tensor (at least 1-D)
     * @param dim    the dimension (negative counts from the end)
     * @param start  the first index kept (negative counts from the end)
     * @param length how many indices are kept (non-negative)
     * @return a new tensor with {@code shape[dim] = length}
     * @throws IllegalArgumentException if the dimension, start or length is out of range
     */
    public static Tensor narrow(Tensor x, int dim, int start, int length) { return Slicing.narrow(x, dim, start, length); }
    /**
     * Index {@code index} of dimension {@code dim}, that dimension removed, as {@code torch.select},
     * as a contiguous copy made on the tensor's device. Backward writes the gradient into a zeroed
     * tensor of the input's shape. Any dtype.
     *
     * @param x     the tensor (at least 1-D)
     * @param dim   the dimension (negative counts from the end)
     * @param index the index (negative counts from the end)
     * @return a new tensor of rank {@code x.rank() - 1}
     * @throws IllegalArgumentException if the dimension or index is out of range
     */
    public static Tensor select(Tensor x, int dim, int index) { return Slicing.select(x, dim, index); }
    /**
     * Every size-1 dimension removed, as {@code torch.squeeze}; a reshape (view). Any dtype.
     *
     * @param x the tensor
     * @return a view without size-1 dimensions
     */
    public static Tensor squeeze(Tensor x) { return Slicing.squeeze(x); }
    /**
     * Dimension {@code dim} removed if its size is 1 (otherwise the same shape), as
     * {@code torch.squeeze(x, dim)}; a reshape (view). Any dtype.
     *
     * @param x   the tensor
     * @param dim the dimension (negative counts from the end)
     * @return a view
     * @throws IllegalArgumentException if the dimension is out of range
     */
    public static Tensor squeeze(Tensor x, int dim) { return Slicing.squeeze(x, dim); }
    /**
     * A size-1 dimension inserted at {@code dim}, as {@code torch.unsqueeze}; a reshape (view). Any dtype.
     *
     * @param x   the tensor
     * @param dim the position in the result, from {@code -(rank + 1)} to {@code rank}
     * @return a view of rank {@code x.rank() + 1}
     * @throws IllegalArgumentException if the dimension is out of range
     */
    public static Tensor unsqueeze(Tensor x, int dim) { return Slicing.unsqueeze(x, dim); }
    /**
     * Size-1 dimensions repeated (and new leading dimensions added) to {@code sizes}, as
     * {@code torch.expand}; {@code -1} keeps a size. Unlike PyTorch the result is a contiguous
     * copy made on the tensor's device (a stride-0 read), not a view. Backward sums the gradient
     * over the expanded dimensions. Any dtype.
     *
     * @param x     the tensor
     * @param sizes the target shape, at least {@code x.rank()} long
     * @return a new tensor of shape {@code sizes}
     * @throws IllegalArgumentException if a non-singleton dimension would change, or sizes is too short
     */
    public static Tensor expand(Tensor x, int... sizes) { return Slicing.expand(x, sizes); }
    /**
     * The tensors joined along {@code dim}, as {@code torch.cat}: equal shapes except in that
     * dimension, one dtype, one backend. Each input is written into its block of the result on the
     * device; backward narrows the gradient back into pieces.
     *
     * @param dim the dimension to join along (negative counts from the end)
     * @param ts  the tensors, at least one, none 0-dim
     * @return a new tensor whose {@code dim} is the sum of the inputs' sizes there
     * @throws IllegalArgumentException if the list is empty, or ranks, other sizes, dtypes or backends differ
     */
    public static Tensor cat(int dim, Tensor... ts) { return Joining.cat(dim, ts); }
    /**
     * The tensors stacked along a new dimension {@code dim}, as {@code torch.stack}: every input
     * has the same shape. Unsqueeze then {@link #cat}.
     *
     * @param dim the new dimension's position, from {@code -(rank + 1)} to {@code rank}
     * @param ts  the tensors, at least one
     * @return a new tensor of rank one more than the inputs'
     * @throws IllegalArgumentException if the list is empty, the shapes differ, or dim is out of range
     */
    public static Tensor stack(int dim, Tensor... ts) { return Joining.stack(dim, ts); }
    /**
     * Consecutive pieces of {@code splitSize} along {@code dim} (the last one may be shorter), as
     * {@code torch.split} with an int; each piece is a {@link #narrow} copy.
     *
     * @param x         the tensor (at least 1-D)
     * @param splitSize the size of each piece (0 only for a dimension of size 0)
     * @param dim       the dimension (negative counts from the end)
     * @return the pieces, in order
     * @throws IllegalArgumentException if splitSize is negative, or 0 for a non-empty dimension, or dim is out of range
     */
    public static Tensor[] split(Tensor x, int splitSize, int dim) { return Joining.split(x, splitSize, dim); }
    /**
     * At most {@code chunks} pieces of size {@code ceil(size / chunks)} along {@code dim} (the last
     * may be shorter; there may be fewer), as {@code torch.chunk}; see {@link #split}.
     *
     * @param x      the tensor (at least 1-D)
     * @param chunks how many pieces at most (positive)
     * @param dim    the dimension (negative counts from the end)
     * @return the pieces, in order
     * @throws IllegalArgumentException if chunks is not positive or dim is out of range
     */
    public static Tensor[] chunk(Tensor x, int chunks, int dim) { return Joining.chunk(x, chunks, dim); }
    /**
     * Explicit 2-D padding of an NCHW tensor's last two dims (zeros or circular):
     * {@code [N, C, H, W]} to {@code [N, C, H + top + bottom, W + left + right]}.
     *
     * @param x      input {@code [N, C, H, W]}
     * @param top    rows added above
     * @param bottom rows added below
     * @param left   columns added on the left
     * @param right  columns added on the right
     * @param mode   how added cells are filled ({@link PaddingMode#ZEROS} or {@link PaddingMode#CIRCULAR})
     * @return the padded tensor
     * @throws IllegalArgumentException if x is not 4-D, a pad is negative, or a circular pad exceeds the size
     */
    public static Tensor pad2d(Tensor x, int top, int bottom, int left, int right, PaddingMode mode) {
        return Shaping.pad2d(x, top, bottom, left, right, mode);
    }

    // ---- linear algebra ----

    /**
     * Matrix product, as {@code torch.matmul}: {@code [m, k] @ [k, n]} gives {@code [m, n]}; a 1-D
     * left operand is a row {@code [1, k]} and a 1-D right operand a column {@code [k, 1]}, that
     * dimension leaving the result ({@code [k] @ [k]} is a 0-D dot product); operands of rank 3 or
     * more are batches of matrices whose batch dimensions broadcast, e.g.
     * {@code [B, H, T, D] @ [B, H, D, T]} gives {@code [B, H, T, T]} and {@code [B, T, D] @ [D, E]}
     * gives {@code [B, T, E]} (one GEMM). Gradients are summed over broadcast dimensions.
     *
     * @param a left operand, at least 1-D
     * @param b right operand, at least 1-D
     * @return the product
     * @throws IllegalArgumentException on a 0-D operand, differing inner sizes (naming both shapes)
     *                                  or batch dimensions that do not broadcast
     */
    public static Tensor matmul(Tensor a, Tensor b) { return LinearAlgebra.matmul(a, b); }
    /**
     * A fully connected layer: {@code x [..., in] @ weight[out, in]^T + bias[out]}.
     *
     * @param x      input {@code [..., in]}
     * @param weight weight {@code [out, in]}
     * @param bias   bias {@code [out]}, or null for none
     * @return output {@code [..., out]}
     * @throws IllegalArgumentException if weight is not 2-D, x's last dim is not {@code in}, or bias is not [out]
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) { return LinearAlgebra.linear(x, weight, bias); }

    // ---- convolution and pooling (NCHW) ----

    /**
     * 2-D cross-correlation (PyTorch's {@code conv2d}). Output height
     * {@code H' = floor((H + pad_top + pad_bottom - dil*(kh-1) - 1)/stride) + 1}, width likewise.
     *
     * @param x       input {@code [N, C, H, W]}
     * @param weight  weight {@code [O, C/groups, kh, kw]}
     * @param bias    bias {@code [O]}, or null for none
     * @param options stride, padding (symmetric, asymmetric, 'same'; zeros or circular), dilation, groups
     * @return output {@code [N, O, H', W']}
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
     * @param x       input {@code [N, C, H, W]}
     * @param weight  weight {@code [O, C/groups, kh, kw]}
     * @param bias    bias {@code [O]}, or null for none
     * @param options as for {@link #conv2d}
     * @return output {@code [N, O, H', W']}, all elements at least 0
     * @throws IllegalArgumentException as {@link #conv2d}
     */
    public static Tensor conv2dRelu(Tensor x, Tensor weight, Tensor bias, Conv2dOptions options) {
        return Convolution.conv2d(x, weight, bias, options, true);
    }
    /**
     * Max pooling (PyTorch's output size, ceil mode included); padded cells never win.
     *
     * @param x       input {@code [N, C, H, W]}
     * @param options window, stride, padding, dilation, ceil mode
     * @return output {@code [N, C, H', W']}
     * @throws IllegalArgumentException if x is not 4-D, padding exceeds half the kernel, or the window exceeds the padded input
     */
    public static Tensor maxPool2d(Tensor x, Pool2dOptions options) { return Pooling.maxPool2d(x, options); }
    /**
     * Average pooling; the divisor follows {@link Pool2dOptions#countIncludePad()}.
     *
     * @param x       input {@code [N, C, H, W]}
     * @param options window, stride, padding, ceil mode, divisor rule
     * @return output {@code [N, C, H', W']}
     * @throws IllegalArgumentException as {@link #maxPool2d}, and if a dilation other than 1 is given
     */
    public static Tensor avgPool2d(Tensor x, Pool2dOptions options) { return Pooling.avgPool2d(x, options); }
    /**
     * Mean over H and W.
     *
     * @param x input {@code [N, C, H, W]}
     * @return output {@code [N, C, 1, 1]}
     * @throws IllegalArgumentException if x is not 4-D
     */
    public static Tensor globalAvgPool2d(Tensor x) { return Pooling.globalAvgPool2d(x); }

    // ---- softmax and losses ----

    /**
     * Softmax along {@code dim}: non-negative values summing to 1 along that axis.
     *
     * @param x   the tensor
     * @param dim the axis to normalise (negative counts from the end)
     * @return a tensor shaped as {@code x}
     * @throws IllegalArgumentException if dim is out of range
     */
    public static Tensor softmax(Tensor x, int dim) { return Softmax.softmax("softmax", x, dim, false); }
    /**
     * Log-softmax along {@code dim}, computed stably (not as {@code log(softmax(x))}).
     *
     * @param x   the tensor
     * @param dim the axis to normalise (negative counts from the end)
     * @return a tensor shaped as {@code x}, values at most 0
     * @throws IllegalArgumentException if dim is out of range
     */
    public static Tensor logSoftmax(Tensor x, int dim) { return Softmax.softmax("log_softmax", x, dim, true); }
    /**
     * Cross-entropy of logits against class indices, fused with log-softmax, with label
     * smoothing, as PyTorch's {@code F.cross_entropy} with {@code ignore_index=-100}: targets equal
     * to -100 are ignored (see {@link #crossEntropy(Tensor, Tensor, Reduction, float, long)}). A
     * target outside [0, C) throws (possibly at the next synchronisation on an asynchronous backend).
     *
     * @param logits         unnormalised scores {@code [N, C]}, or {@code [N, C, d1, ...]} for per-position targets
     * @param targets        INT64 or INT32 class indices {@code [N]}, or {@code [N, d1, ...]}
     * @param reduction      how per-position losses are combined
     * @param labelSmoothing in [0, 1]; 0 for plain cross-entropy
     * @return a scalar {@code []} for MEAN and SUM, the per-position losses (shaped as {@code targets}) for NONE
     * @throws IllegalArgumentException if shapes or dtypes are wrong or label smoothing is outside [0, 1]
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, Reduction reduction, float labelSmoothing) {
        return Losses.crossEntropy(logits, targets, reduction, labelSmoothing);
    }
    /**
     * Mean squared error between same-shaped tensors, {@code (input - target)^2} reduced.
     *
     * @param input     predictions
     * @param target    targets, same shape as {@code input}
     * @param reduction how the squared errors are combined
     * @return a scalar {@code []} for MEAN and SUM, the input's shape for NONE
     * @throws IllegalArgumentException if the shapes differ
     */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) { return Losses.mseLoss(input, target, reduction); }

    // ---- regularisation and normalisation ----

    /**
     * Inverted dropout: in training, zeroes each element with probability p (mask from
     * {@code generator}, Philox; the default generator when null) and scales the rest by
     * 1/(1-p); returns x itself when not training or p is 0.
     *
     * @param x         the tensor
     * @param p         drop probability, in [0, 1]
     * @param training  apply dropout (false: identity)
     * @param generator random stream for the mask, or null for {@link dev.kiln.Kiln#generator()}
     * @return a tensor shaped as {@code x} (or {@code x} itself)
     * @throws IllegalArgumentException if p is outside [0, 1]
     */
    public static Tensor dropout(Tensor x, float p, boolean training, Generator generator) {
        return Dropout.dropout(x, p, training, generator);
    }

    /**
     * Batch normalisation per channel. In training, uses batch statistics and updates
     * {@code runningMean}/{@code runningVar} in place (when not null); otherwise normalises with
     * the running statistics (or with batch statistics when they are null).
     *
     * @param x           input {@code [N, C]} or {@code [N, C, H, W]}
     * @param runningMean running mean {@code [C]}, or null
     * @param runningVar  running variance {@code [C]}, or null
     * @param gamma       scale {@code [C]}, or null for 1
     * @param beta        shift {@code [C]}, or null for 0
     * @param training    use and update batch statistics
     * @param momentum    weight of the batch statistic in the running-stat update, in [0, 1]
     * @param eps         added to the variance, greater than 0
     * @return a tensor shaped as {@code x}
     * @throws IllegalArgumentException if x is not 2-D or 4-D, a [C] argument has another shape,
     *         eps/momentum are invalid, or training sees a single value per channel
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor gamma, Tensor beta,
                                   boolean training, float momentum, float eps) {
        return Normalization.batchNorm(x, runningMean, runningVar, gamma, beta, training, momentum, eps);
    }

    // ---- layer norm, RMS norm, conv1d (issue 11) ----

    /** The default {@code eps} of {@link #rmsNorm}: float32's machine epsilon, {@code torch.finfo(torch.float32).eps} = 2^-23. */
    public static final float RMS_NORM_EPS = Math.ulp(1f);

    /**
     * Layer normalisation over the trailing dimensions (PyTorch's {@code layer_norm}): for each
     * slice of {@code x} over the last {@code normalizedShape.length} dimensions,
     * {@code y = (x - mean) / sqrt(var + eps) * weight + bias} with the biased variance. One fused
     * op on the backend, which saves the mean and inverse standard deviation of each slice for the
     * backward pass; gradients flow to {@code x}, {@code weight} and {@code bias}.
     *
     * @param x               input {@code [*, normalizedShape]}
     * @param normalizedShape the trailing dimensions to normalise over (at least one)
     * @param weight          scale of shape {@code normalizedShape}, or null for 1
     * @param bias            shift of shape {@code normalizedShape}, or null for 0
     * @param eps             added to the variance, at least 0 (PyTorch's default is 1e-5)
     * @return a tensor shaped as {@code x}
     * @throws IllegalArgumentException if the trailing dimensions of {@code x} are not
     *         {@code normalizedShape}, a parameter has another shape, or {@code eps} is negative
     */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, float eps) {
        return LayerNormalization.normalize(x, normalizedShape, weight, bias, eps, false);
    }

    /**
     * {@link #layerNorm(Tensor, int[], Tensor, Tensor, float)} without weight and bias, eps 1e-5.
     *
     * @param x               input {@code [*, normalizedShape]}
     * @param normalizedShape the trailing dimensions to normalise over (at least one)
     * @return a tensor shaped as {@code x}
     * @throws IllegalArgumentException if the trailing dimensions of {@code x} are not {@code normalizedShape}
     */
    public static Tensor layerNorm(Tensor x, int... normalizedShape) {
        return LayerNormalization.normalize(x, normalizedShape, null, null, 1e-5f, false);
    }

    /**
     * RMS normalisation over the trailing dimensions (PyTorch 2.4's {@code rms_norm}):
     * {@code y = x / sqrt(mean(x^2) + eps) * weight}, the mean over the last
     * {@code normalizedShape.length} dimensions. One fused op on the backend (the layer-norm
     * primitive with the mean fixed at 0); gradients flow to {@code x} and {@code weight}.
     *
     * @param x               input {@code [*, normalizedShape]}
     * @param normalizedShape the trailing dimensions to normalise over (at least one)
     * @param weight          scale of shape {@code normalizedShape}, or null for 1
     * @param eps             added to the mean square, at least 0
     * @return a tensor shaped as {@code x}
     * @throws IllegalArgumentException if the trailing dimensions of {@code x} are not
     *         {@code normalizedShape}, the weight has another shape, or {@code eps} is negative
     */
    public static Tensor rmsNorm(Tensor x, int[] normalizedShape, Tensor weight, float eps) {
        return LayerNormalization.normalize(x, normalizedShape, weight, null, eps, true);
    }

    /**
     * {@link #rmsNorm(Tensor, int[], Tensor, float)} with PyTorch's default eps, {@link #RMS_NORM_EPS}.
     *
     * @param x               input {@code [*, normalizedShape]}
     * @param normalizedShape the trailing dimensions to normalise over (at least one)
     * @param weight          scale of shape {@code normalizedShape}, or null for 1
     * @return a tensor shaped as {@code x}
     * @throws IllegalArgumentException as {@link #rmsNorm(Tensor, int[], Tensor, float)}
     */
    public static Tensor rmsNorm(Tensor x, int[] normalizedShape, Tensor weight) {
        return LayerNormalization.normalize(x, normalizedShape, weight, null, RMS_NORM_EPS, true);
    }

    /**
     * 1-D cross-correlation (PyTorch's {@code conv1d}): output length
     * {@code floor((L + 2*padding - dilation*(k-1) - 1)/stride) + 1}, or {@code L} with
     * {@code padding='same'}. Runs as {@link #conv2d} on {@code [N, C, 1, L]} views, so on every
     * backend conv2d runs on, with its autograd.
     *
     * @param x       input {@code [N, C, L]}
     * @param weight  filters {@code [O, C/groups, k]}
     * @param bias    bias {@code [O]}, or null
     * @param options stride, padding ({@code int}, 'same' or 'valid'), dilation, groups, padding mode
     * @return {@code [N, O, L']}
     * @throws IllegalArgumentException if the ranks, channel counts, groups or bias shape do not fit,
     *         'same' is asked with a stride above 1, or the dilated kernel is longer than the padded input
     */
    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, Conv1dOptions options) {
        return Convolution1d.conv1d(x, weight, bias, options);
    }

    // ---- attention (issue 11) ----

    /**
     * Scaled dot-product attention with PyTorch's defaults (no mask, not causal, no dropout,
     * scale {@code 1/sqrt(E)}); see {@link #scaledDotProductAttention(Tensor, Tensor, Tensor, AttentionOptions)}.
     *
     * @param query queries {@code [..., L, E]}
     * @param key   keys {@code [..., S, E]}
     * @param value values {@code [..., S, Ev]}
     * @return the attention output {@code [..., L, Ev]}
     * @throws IllegalArgumentException as the general form
     */
    public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value) {
        return Attention.scaledDotProductAttention(query, key, value, AttentionOptions.defaults());
    }
    /**
     * Fused scaled dot-product attention, as PyTorch's {@code F.scaled_dot_product_attention}:
     * {@code dropout(softmax(scale * Q K^T + mask)) V} over leading (batch, head) dimensions, in one
     * backend op that never stores the {@code L x S} matrix (an online softmax over key tiles; the
     * backward recomputes the probabilities from the saved per-row log-sum-exp), so memory is linear
     * in the sequence lengths. A BOOL mask keeps the keys where it is True (read as bytes in place, no
     * float copy); a FLOAT32 one is added. Causal masking is PyTorch's top-left aligned {@code tril} (query i sees
     * keys {@code j <= i}). A query row whose scores are all {@code -inf} (fully masked) gives zeros
     * and zero gradients, as PyTorch's math path ({@code _safe_softmax}) does; plain
     * {@code softmax(...) V} would give NaN there. Dropout masks come from the options' generator
     * (Philox), so a seed repeats exactly on every backend, and backward regenerates them.
     *
     * @param query   queries {@code [..., L, E]} (at least 2-D)
     * @param key     keys {@code [..., S, E]}, same leading dimensions
     * @param value   values {@code [..., S, Ev]}, same leading dimensions
     * @param options mask, causal flag, dropout and scale
     * @return the attention output {@code [..., L, Ev]}
     * @throws IllegalArgumentException if ranks, leading dimensions, E or S disagree, the mask is not
     *         broadcastable to {@code [..., L, S]} or requires grad, a mask is given with
     *         {@code isCausal}, or dtypes or devices differ
     */
    public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value, AttentionOptions options) {
        return Attention.scaledDotProductAttention(query, key, value, options);
    }

    // ---- batched matmul and value/index reductions (issue 11) ----

    /**
     * Batched matrix product, as {@code torch.bmm}: {@code [b, n, k] @ [b, k, m]} gives
     * {@code [b, n, m]}; no broadcasting (see {@link #matmul} for that).
     *
     * @param a left operand {@code [b, n, k]} ({@code batch1})
     * @param b right operand {@code [b, k, m]} ({@code batch2})
     * @return the products {@code [b, n, m]}
     * @throws IllegalArgumentException if an operand is not 3-D or the batch or inner sizes differ
     */
    public static Tensor bmm(Tensor a, Tensor b) { return LinearAlgebra.bmm(a, b); }
    /**
     * Maximum along {@code dim} and its index, as {@code torch.max(x, dim, keepdim)}: the first index
     * among equal maxima; a NaN wins (its first index). The values' gradient goes to that index.
     *
     * @param x       the tensor (FLOAT32)
     * @param dim     the dimension to reduce (negative counts from the end)
     * @param keepDim keep {@code dim} as size 1 instead of removing it
     * @return values (FLOAT32) and indices (INT64), of the input's shape without {@code dim}
     * @throws IllegalArgumentException if {@code dim} is out of range or of size 0
     */
    public static ValuesAndIndices max(Tensor x, int dim, boolean keepDim) { return Selection.maxMin("max", x, dim, keepDim); }
    /**
     * Minimum along {@code dim} and its index, as {@code torch.min(x, dim, keepdim)}; ties and NaN as
     * {@link #max(Tensor, int, boolean)} (a NaN is the minimum too, as in PyTorch).
     *
     * @param x       the tensor (FLOAT32)
     * @param dim     the dimension to reduce (negative counts from the end)
     * @param keepDim keep {@code dim} as size 1 instead of removing it
     * @return values (FLOAT32) and indices (INT64)
     * @throws IllegalArgumentException if {@code dim} is out of range or of size 0
     */
    public static ValuesAndIndices min(Tensor x, int dim, boolean keepDim) { return Selection.maxMin("min", x, dim, keepDim); }
    /**
     * The largest element, a 0-D tensor, as {@code torch.max(x)}; NaN if any element is NaN. Its
     * gradient goes to the first maximal element (PyTorch splits it evenly among equal maxima).
     *
     * @param x the tensor (FLOAT32), not empty
     * @return a 0-D tensor
     * @throws IllegalArgumentException if x is empty
     */
    public static Tensor max(Tensor x) { return Selection.maxMinAll("max", x); }
    /**
     * The smallest element, a 0-D tensor, as {@code torch.min(x)}; see {@link #max(Tensor)}.
     *
     * @param x the tensor (FLOAT32), not empty
     * @return a 0-D tensor
     * @throws IllegalArgumentException if x is empty
     */
    public static Tensor min(Tensor x) { return Selection.maxMinAll("min", x); }
    /**
     * Index of the maximum along {@code dim}, as {@code torch.argmax(x, dim, keepdim)}: INT64, the
     * first index among equal maxima, a NaN wins; not differentiable. (The one-argument
     * {@link #argmax(Tensor)} is Kiln's row-wise INT32 form for {@code [N, C]} scores.)
     *
     * @param x       the tensor (FLOAT32)
     * @param dim     the dimension to reduce (negative counts from the end)
     * @param keepDim keep {@code dim} as size 1 instead of removing it
     * @return INT64 indices
     * @throws IllegalArgumentException if {@code dim} is out of range or of size 0
     */
    public static Tensor argmax(Tensor x, int dim, boolean keepDim) { return Selection.argMaxMin("argmax", x, dim, keepDim); }
    /**
     * Index of the minimum along {@code dim}, as {@code torch.argmin(x, dim, keepdim)}: INT64, the
     * first index among equal minima, a NaN wins; not differentiable.
     *
     * @param x       the tensor (FLOAT32)
     * @param dim     the dimension to reduce (negative counts from the end)
     * @param keepDim keep {@code dim} as size 1 instead of removing it
     * @return INT64 indices
     * @throws IllegalArgumentException if {@code dim} is out of range or of size 0
     */
    public static Tensor argmin(Tensor x, int dim, boolean keepDim) { return Selection.argMaxMin("argmin", x, dim, keepDim); }
    /**
     * The {@code k} largest (or smallest) elements along {@code dim} and their indices, as
     * {@code torch.topk(x, k, dim, largest, sorted)}. Sorted by value (descending when
     * {@code largest}); equal values in ascending index order (PyTorch leaves their order
     * unspecified); a NaN counts as larger than every number. The values' gradient goes to the
     * selected positions.
     *
     * @param x       the tensor (FLOAT32)
     * @param k       how many to select, {@code 0 <= k <= x.size(dim)}
     * @param dim     the dimension to select along (negative counts from the end)
     * @param largest the largest (true) or the smallest (false)
     * @param sorted  return them in order (false allows any order; Kiln's backends sort anyway)
     * @return values (FLOAT32) and indices (INT64), the input's shape with {@code dim} of size k
     * @throws IllegalArgumentException if {@code dim} is out of range or k is outside {@code [0, size]}
     */
    public static ValuesAndIndices topk(Tensor x, int k, int dim, boolean largest, boolean sorted) {
        return Selection.topk(x, k, dim, largest, sorted);
    }
    /**
     * {@code log(sum(exp(x), dim))}, as {@code torch.logsumexp(x, dim, keepdim)}, computed stably as
     * {@code m + log(sum(exp(x - m)))} with m the maximum along dim; the gradient is
     * {@code softmax(x, dim)}. A line of -inf gives -inf, one holding +inf gives +inf.
     *
     * @param x       the tensor (FLOAT32)
     * @param dim     the dimension to reduce (negative counts from the end)
     * @param keepDim keep {@code dim} as size 1 instead of removing it
     * @return the reduced tensor
     * @throws IllegalArgumentException if {@code dim} is out of range
     */
    public static Tensor logsumexp(Tensor x, int dim, boolean keepDim) { return Selection.logsumexp(x, dim, keepDim); }

    // ---- masks and dtypes (issue 11) ----

    /**
     * {@code x} converted to {@code dtype} on its device, as PyTorch's {@code x.to(dtype)}:
     * FLOAT32 to an integer rounds toward zero and saturates at the integer's range (NaN gives 0;
     * PyTorch leaves those cases undefined), INT64 to INT32 keeps the low 32 bits, anything to
     * BOOL is {@code x != 0} (NaN is true), BOOL to a number is 0 or 1. When {@code x} already has
     * {@code dtype} it is returned itself (not a copy): close the result only if it differs. A
     * conversion has no gradient (only the FLOAT32 identity stays in the graph).
     *
     * @param x     the tensor, any dtype
     * @param dtype the target dtype
     * @return a new tensor of {@code x}'s shape and {@code dtype}, or {@code x}
     * @throws IllegalArgumentException if an argument is null
     */
    public static Tensor to(Tensor x, dev.kiln.tensor.DType dtype) { return Casting.to(x, dtype); }
    /**
     * {@code a == b} elementwise as a BOOL mask, as {@code torch.eq}: broadcasting as
     * {@link #add(Tensor, Tensor)}; operands of any dtypes, compared in their promoted dtype
     * (BOOL, INT32, INT64, FLOAT32: the later wins), so integers compare exactly; not differentiable.
     *
     * @param a first operand
     * @param b second operand
     * @return a BOOL tensor shaped as the broadcast of both shapes
     * @throws IllegalArgumentException if the shapes cannot be broadcast or the devices differ
     */
    public static Tensor eq(Tensor a, Tensor b) { return Comparisons.compare(dev.kiln.spi.CompareOp.EQ, a, b); }
    /**
     * {@code a != b} elementwise as a BOOL mask, as {@code torch.ne}; see {@link #eq(Tensor, Tensor)}.
     *
     * @param a first operand
     * @param b second operand
     * @return a BOOL tensor shaped as the broadcast of both shapes
     * @throws IllegalArgumentException as {@link #eq(Tensor, Tensor)}
     */
    public static Tensor ne(Tensor a, Tensor b) { return Comparisons.compare(dev.kiln.spi.CompareOp.NE, a, b); }
    /**
     * {@code a < b} elementwise as a BOOL mask, as {@code torch.lt}; see {@link #eq(Tensor, Tensor)}.
     *
     * @param a first operand
     * @param b second operand
     * @return a BOOL tensor shaped as the broadcast of both shapes
     * @throws IllegalArgumentException as {@link #eq(Tensor, Tensor)}
     */
    public static Tensor lt(Tensor a, Tensor b) { return Comparisons.compare(dev.kiln.spi.CompareOp.LT, a, b); }
    /**
     * {@code a <= b} elementwise as a BOOL mask, as {@code torch.le}; see {@link #eq(Tensor, Tensor)}.
     *
     * @param a first operand
     * @param b second operand
     * @return a BOOL tensor shaped as the broadcast of both shapes
     * @throws IllegalArgumentException as {@link #eq(Tensor, Tensor)}
     */
    public static Tensor le(Tensor a, Tensor b) { return Comparisons.compare(dev.kiln.spi.CompareOp.LE, a, b); }
    /**
     * {@code a > b} elementwise as a BOOL mask, as {@code torch.gt}; see {@link #eq(Tensor, Tensor)}.
     *
     * @param a first operand
     * @param b second operand
     * @return a BOOL tensor shaped as the broadcast of both shapes
     * @throws IllegalArgumentException as {@link #eq(Tensor, Tensor)}
     */
    public static Tensor gt(Tensor a, Tensor b) { return Comparisons.compare(dev.kiln.spi.CompareOp.GT, a, b); }
    /**
     * {@code a >= b} elementwise as a BOOL mask, as {@code torch.ge}; see {@link #eq(Tensor, Tensor)}.
     *
     * @param a first operand
     * @param b second operand
     * @return a BOOL tensor shaped as the broadcast of both shapes
     * @throws IllegalArgumentException as {@link #eq(Tensor, Tensor)}
     */
    public static Tensor ge(Tensor a, Tensor b) { return Comparisons.compare(dev.kiln.spi.CompareOp.GE, a, b); }
    /**
     * {@code x == s} elementwise as a BOOL mask, as {@code torch.eq(x, s)}, compared exactly: in
     * {@code x}'s dtype when {@code s} is one of its values (an integral {@code s} for an integer
     * tensor), else in INT64 for an integral {@code s}, else in FLOAT32 (as PyTorch compares an
     * integer tensor with a fractional scalar).
     *
     * @param x the tensor, any dtype
     * @param s the scalar
     * @return a BOOL tensor shaped as {@code x}
     * @throws IllegalArgumentException if {@code x} is null
     */
    public static Tensor eq(Tensor x, float s) { return Comparisons.compare(dev.kiln.spi.CompareOp.EQ, x, s); }
    /**
     * {@code x != s} elementwise as a BOOL mask; see {@link #eq(Tensor, float)}.
     *
     * @param x the tensor, any dtype
     * @param s the scalar
     * @return a BOOL tensor shaped as {@code x}
     * @throws IllegalArgumentException if {@code x} is null
     */
    public static Tensor ne(Tensor x, float s) { return Comparisons.compare(dev.kiln.spi.CompareOp.NE, x, s); }
    /**
     * {@code x < s} elementwise as a BOOL mask; see {@link #eq(Tensor, float)}.
     *
     * @param x the tensor, any dtype
     * @param s the scalar
     * @return a BOOL tensor shaped as {@code x}
     * @throws IllegalArgumentException if {@code x} is null
     */
    public static Tensor lt(Tensor x, float s) { return Comparisons.compare(dev.kiln.spi.CompareOp.LT, x, s); }
    /**
     * {@code x <= s} elementwise as a BOOL mask; see {@link #eq(Tensor, float)}.
     *
     * @param x the tensor, any dtype
     * @param s the scalar
     * @return a BOOL tensor shaped as {@code x}
     * @throws IllegalArgumentException if {@code x} is null
     */
    public static Tensor le(Tensor x, float s) { return Comparisons.compare(dev.kiln.spi.CompareOp.LE, x, s); }
    /**
     * {@code x > s} elementwise as a BOOL mask; see {@link #eq(Tensor, float)}.
     *
     * @param x the tensor, any dtype
     * @param s the scalar
     * @return a BOOL tensor shaped as {@code x}
     * @throws IllegalArgumentException if {@code x} is null
     */
    public static Tensor gt(Tensor x, float s) { return Comparisons.compare(dev.kiln.spi.CompareOp.GT, x, s); }
    /**
     * {@code x >= s} elementwise as a BOOL mask; see {@link #eq(Tensor, float)}.
     *
     * @param x the tensor, any dtype
     * @param s the scalar
     * @return a BOOL tensor shaped as {@code x}
     * @throws IllegalArgumentException if {@code x} is null
     */
    public static Tensor ge(Tensor x, float s) { return Comparisons.compare(dev.kiln.spi.CompareOp.GE, x, s); }
    /**
     * {@code !x} as a BOOL mask, as {@code torch.logical_not}: true where {@code x == 0}, for any dtype.
     *
     * @param x the tensor, usually BOOL
     * @return a BOOL tensor shaped as {@code x}
     * @throws IllegalArgumentException if {@code x} is null
     */
    public static Tensor logicalNot(Tensor x) { return Comparisons.logicalNot(x); }
    /**
     * {@code a && b} elementwise as a BOOL mask, as {@code torch.logical_and}: each operand (any
     * dtype) is true where non-zero; broadcasting as {@link #add(Tensor, Tensor)}.
     *
     * @param a first operand, usually BOOL
     * @param b second operand, usually BOOL
     * @return a BOOL tensor shaped as the broadcast of both shapes
     * @throws IllegalArgumentException if the shapes cannot be broadcast or the devices differ
     */
    public static Tensor logicalAnd(Tensor a, Tensor b) { return Comparisons.logical(true, a, b); }
    /**
     * {@code a || b} elementwise as a BOOL mask, as {@code torch.logical_or}; see {@link #logicalAnd}.
     *
     * @param a first operand, usually BOOL
     * @param b second operand, usually BOOL
     * @return a BOOL tensor shaped as the broadcast of both shapes
     * @throws IllegalArgumentException if the shapes cannot be broadcast or the devices differ
     */
    public static Tensor logicalOr(Tensor a, Tensor b) { return Comparisons.logical(false, a, b); }
    /**
     * {@code cond ? a : b} elementwise, as {@code torch.where(cond, a, b)}: the three shapes
     * broadcast together; a and b of different dtypes are promoted as in {@link #eq(Tensor, Tensor)}.
     * Gradients flow to {@code a} where {@code cond} holds and to {@code b} elsewhere, summed over
     * the dimensions each was broadcast along.
     *
     * @param cond the BOOL condition
     * @param a    taken where {@code cond} is true, any dtype
     * @param b    taken where {@code cond} is false, any dtype
     * @return a tensor shaped as the broadcast of the three shapes, of the promoted dtype
     * @throws IllegalArgumentException if {@code cond} is not BOOL, the shapes cannot be broadcast,
     *                                  an argument is null or the devices differ
     */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) { return Masking.where(cond, a, b); }
    /**
     * {@code x} with {@code value} wherever {@code mask} is true, as {@code x.masked_fill(mask, value)}:
     * the mask and {@code x} broadcast together (PyTorch's out-of-place form); the value is converted
     * to {@code x}'s dtype as {@link #to} does. The gradient is zero where filled.
     *
     * @param x     the tensor, any dtype
     * @param mask  the BOOL mask, broadcastable with {@code x}
     * @param value the fill value
     * @return a tensor of {@code x}'s dtype shaped as the broadcast of both shapes
     * @throws IllegalArgumentException if {@code mask} is not BOOL, the shapes cannot be broadcast,
     *                                  an argument is null or the devices differ
     */
    public static Tensor maskedFill(Tensor x, Tensor mask, float value) { return Masking.maskedFill(x, mask, value); }
    /**
     * The lower triangle of each matrix in the last two dimensions, as {@code torch.tril(x, diagonal)}:
     * element {@code (i, j)} is kept when {@code j - i <= diagonal}, else zero; 0 is the main
     * diagonal, positive values are above it, negative below. Any dtype; the gradient keeps the same
     * triangle.
     *
     * @param x        a tensor of at least 2 dimensions
     * @param diagonal the last diagonal kept
     * @return a tensor shaped as {@code x}
     * @throws IllegalArgumentException if {@code x} is null or has fewer than 2 dimensions
     */
    public static Tensor tril(Tensor x, int diagonal) { return Masking.triangle(x, diagonal, false); }
    /**
     * The upper triangle of each matrix in the last two dimensions, as {@code torch.triu(x, diagonal)}:
     * element {@code (i, j)} is kept when {@code j - i >= diagonal}, else zero; see {@link #tril}.
     *
     * @param x        a tensor of at least 2 dimensions
     * @param diagonal the first diagonal kept
     * @return a tensor shaped as {@code x}
     * @throws IllegalArgumentException if {@code x} is null or has fewer than 2 dimensions
     */
    public static Tensor triu(Tensor x, int diagonal) { return Masking.triangle(x, diagonal, true); }

    // ---- data and training (issue 11) ----

    /**
     * Cross-entropy as PyTorch's {@code F.cross_entropy(logits, targets, ignore_index=ignoreIndex,
     * reduction=..., label_smoothing=...)}: logits {@code [N, C]} with targets {@code [N]}, logits
     * {@code [N, C, d1, ...]} with per-position targets {@code [N, d1, ...]} (e.g. a sequence model's
     * {@code [B, vocab, T]} against {@code [B, T]}), or logits {@code [C]} with a target {@code []}.
     * Positions whose target is {@code ignoreIndex} contribute neither loss nor gradient, and
     * {@link Reduction#MEAN} divides by the number of the other positions (NaN when all are
     * ignored, as PyTorch). Any other target outside [0, C) throws (possibly at the next
     * synchronisation on an asynchronous backend).
     *
     * @param logits         unnormalised scores, classes along dimension 1 (dimension 0 for a 1-D input)
     * @param targets        INT64 or INT32 class indices, shaped as {@code logits} without its class dimension
     * @param reduction      how per-position losses are combined
     * @param labelSmoothing in [0, 1]; 0 for plain cross-entropy
     * @param ignoreIndex    the target value of positions to skip (PyTorch's default is -100)
     * @return a scalar {@code []} for MEAN and SUM, the per-position losses (shaped as {@code targets}, 0 where ignored)
     *         for NONE
     * @throws IllegalArgumentException if shapes or dtypes are wrong or label smoothing is outside [0, 1]
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, Reduction reduction, float labelSmoothing, long ignoreIndex) {
        return Losses.crossEntropy(logits, targets, reduction, labelSmoothing, ignoreIndex);
    }

    // ---- recurrent (issue 11) ----

    /**
     * One fused LSTM step (PyTorch's gate order i, f, g, o): with {@code a = inputGates + hiddenGates},
     * {@code c = sigmoid(a_f) * cPrev + sigmoid(a_i) * tanh(a_g)} and {@code h = sigmoid(a_o) * tanh(c)}.
     * The projections include their biases ({@code x W_ih^T + b_ih}, {@code hPrev W_hh^T + b_hh}).
     *
     * @param inputGates  {@code [batch, 4 * hidden]}
     * @param hiddenGates {@code [batch, 4 * hidden]}
     * @param cPrev       the previous cell state {@code [batch, hidden]}
     * @return {@code {h, c}}, each {@code [batch, hidden]}
     * @throws IllegalArgumentException if a shape does not match, naming it
     */
    public static Tensor[] lstmCell(Tensor inputGates, Tensor hiddenGates, Tensor cPrev) {
        return Recurrent.lstmCell(inputGates, hiddenGates, cPrev);
    }

    /**
     * One fused GRU step (gate order r, z, n): {@code r = sigmoid(x_r + h_r)}, {@code z = sigmoid(x_z + h_z)},
     * {@code n = tanh(x_n + r * h_n)}, {@code h = (1 - z) * n + z * hPrev}, where x and h are the input and
     * hidden projections with their biases.
     *
     * @param inputGates  {@code [batch, 3 * hidden]}
     * @param hiddenGates {@code [batch, 3 * hidden]}
     * @param hPrev       the previous hidden state {@code [batch, hidden]}
     * @return the new hidden state {@code [batch, hidden]}
     * @throws IllegalArgumentException if a shape does not match, naming it
     */
    public static Tensor gruCell(Tensor inputGates, Tensor hiddenGates, Tensor hPrev) {
        return Recurrent.gruCell(inputGates, hiddenGates, hPrev);
    }

    /**
     * One LSTM layer in one direction over a whole sequence, the building block of
     * {@link dev.kiln.nn.LSTM}: step by step, {@code (h, c) = lstmCell(inputGates[t], h W_hh^T + b_hh, c)}.
     * One autograd node with backpropagation through time.
     *
     * @param inputGates the input projections of every step, {@code x W_ih^T + b_ih}: {@code [seq_len, batch, 4 * hidden]}
     * @param weightHh   the recurrent weight {@code [4 * hidden, hidden]}
     * @param biasHh     the recurrent bias {@code [4 * hidden]}, or null
     * @param h0         the initial hidden state {@code [batch, hidden]}, or null for zeros
     * @param c0         the initial cell state {@code [batch, hidden]}, or null for zeros
     * @param reverse    run from the last time step to the first (the backward direction)
     * @return {@code {output [seq_len, batch, hidden], hN [batch, hidden], cN [batch, hidden]}}; output is in time order
     * @throws IllegalArgumentException if a shape does not match, naming it
     */
    public static Tensor[] lstmScan(Tensor inputGates, Tensor weightHh, Tensor biasHh, Tensor h0, Tensor c0, boolean reverse) {
        return RecurrentScan.scan(RecurrentScan.Cell.LSTM, inputGates, weightHh, biasHh, h0, c0, reverse);
    }

    /**
     * One GRU layer in one direction over a whole sequence, the building block of {@link dev.kiln.nn.GRU}.
     *
     * @param inputGates the input projections {@code x W_ih^T + b_ih}: {@code [seq_len, batch, 3 * hidden]}
     * @param weightHh   the recurrent weight {@code [3 * hidden, hidden]}
     * @param biasHh     the recurrent bias {@code [3 * hidden]}, or null
     * @param h0         the initial hidden state {@code [batch, hidden]}, or null for zeros
     * @param reverse    run from the last time step to the first
     * @return {@code {output [seq_len, batch, hidden], hN [batch, hidden]}}
     * @throws IllegalArgumentException if a shape does not match, naming it
     */
    public static Tensor[] gruScan(Tensor inputGates, Tensor weightHh, Tensor biasHh, Tensor h0, boolean reverse) {
        return RecurrentScan.scan(RecurrentScan.Cell.GRU, inputGates, weightHh, biasHh, h0, null, reverse);
    }

    /**
     * One Elman RNN layer in one direction, {@code h_t = f(inputGates[t] + h_{t-1} W_hh^T + b_hh)}, the
     * building block of {@link dev.kiln.nn.RNN}.
     *
     * @param inputGates    the input projections {@code x W_ih^T + b_ih}: {@code [seq_len, batch, hidden]}
     * @param weightHh      the recurrent weight {@code [hidden, hidden]}
     * @param biasHh        the recurrent bias {@code [hidden]}, or null
     * @param h0            the initial hidden state {@code [batch, hidden]}, or null for zeros
     * @param nonlinearity  {@code "tanh"} or {@code "relu"}
     * @param reverse       run from the last time step to the first
     * @return {@code {output [seq_len, batch, hidden], hN [batch, hidden]}}
     * @throws IllegalArgumentException if a shape does not match or the nonlinearity is unknown
     */
    public static Tensor[] rnnScan(Tensor inputGates, Tensor weightHh, Tensor biasHh, Tensor h0, String nonlinearity, boolean reverse) {
        RecurrentScan.Cell cell = switch (String.valueOf(nonlinearity)) {
            case "tanh" -> RecurrentScan.Cell.RNN_TANH;
            case "relu" -> RecurrentScan.Cell.RNN_RELU;
            default -> throw new IllegalArgumentException("rnn: unknown nonlinearity '" + nonlinearity + "' (expected 'tanh' or 'relu')");
        };
        return RecurrentScan.scan(cell, inputGates, weightHh, biasHh, h0, null, reverse);
    }

    // ---- indexing (issue 11) ----

    /**
     * The entries of {@code x} at {@code index} along {@code dim}, as {@code torch.index_select}:
     * the result has {@code x}'s shape with {@code shape[dim] = index.numel()}. A gather on the
     * tensor's device ({@link dev.kiln.spi.Backend#indexGather}). Backward scatter-adds the gradient
     * into zeros of {@code x}'s shape, so repeated indices accumulate. Any dtype for {@code x}.
     *
     * @param x     the tensor (a 0-dim tensor has dimension 0 of size 1)
     * @param dim   the dimension (negative counts from the end)
     * @param index INT32 or INT64 positions, 1-D (or 0-dim), each in {@code [0, x.shape()[dim])}
     * @return a new tensor
     * @throws IllegalArgumentException if the index is not an integer vector, the dimension is out
     *     of range, or an index is out of range ("indexSelect: index 5 is out of bounds for dimension
     *     0 with size 3"; on an asynchronous backend at the next synchronisation)
     */
    public static Tensor indexSelect(Tensor x, int dim, Tensor index) { return Indexing.indexSelect(x, dim, index); }
    /**
     * Values of {@code x} along {@code dim} picked by {@code index}, as {@code torch.gather}:
     * {@code out[i][j][k] = x[index[i][j][k]][j][k]} for {@code dim = 0}, and likewise for the other
     * dimensions. {@code index} has {@code x}'s rank, sizes at most {@code x}'s in every other
     * dimension (any size along {@code dim}); the result has {@code index}'s shape. Backward
     * scatter-adds the gradient into zeros of {@code x}'s shape. Accepts INT32 indices as well as
     * PyTorch's INT64. Any dtype for {@code x}.
     *
     * @param x     the tensor
     * @param dim   the dimension (negative counts from the end)
     * @param index INT32 or INT64 positions, each in {@code [0, x.shape()[dim])}
     * @return a new tensor of {@code index}'s shape
     * @throws IllegalArgumentException if the ranks differ, an index size is too large, the
     *     dimension is out of range, or an index is out of range (on an asynchronous backend at the
     *     next synchronisation)
     */
    public static Tensor gather(Tensor x, int dim, Tensor index) { return Indexing.gather(x, dim, index); }
    /**
     * Out-of-place {@code torch.scatter_add}: a copy of {@code self} with
     * {@code out[index[i][j][k]][j][k] += src[i][j][k]} for {@code dim = 0}, and likewise for the
     * other dimensions; repeated indices accumulate (in a fixed order, so the result is
     * deterministic). {@code index} has the rank of both, sizes at most {@code src}'s, and at most
     * {@code self}'s except along {@code dim}. Backward: {@code self} gets the gradient,
     * {@code src} the gradient gathered at {@code index}. FLOAT32 only.
     *
     * @param self  the tensor added into
     * @param dim   the dimension (negative counts from the end)
     * @param index INT32 or INT64 positions, each in {@code [0, self.shape()[dim])}
     * @param src   the values added, FLOAT32
     * @return a new tensor of {@code self}'s shape
     * @throws IllegalArgumentException if dtypes, ranks or sizes do not fit, or an index is out of
     *     range (on an asynchronous backend at the next synchronisation)
     */
    public static Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src) { return Indexing.scatterAdd(self, dim, index, src); }
    /**
     * One-hot encoding, as {@code torch.nn.functional.one_hot}: INT64 {@code [..., numClasses]} with
     * a 1 at each value's class. Accepts INT32 values as well as PyTorch's INT64. With
     * {@code numClasses = -1} the count is the largest value plus one, found on the device and read
     * back (one synchronisation, as in PyTorch). Not differentiable.
     *
     * @param x          INT32 or INT64 class values, each in {@code [0, numClasses)}
     * @param numClasses the number of classes, or -1 to infer it
     * @return a new INT64 tensor of shape {@code x.shape() + [numClasses]}
     * @throws IllegalArgumentException if x is not an integer tensor, numClasses is below -1, -1 is
     *     given for an empty x, or a value is negative or not below numClasses (on an asynchronous
     *     backend at the next synchronisation)
     */
    public static Tensor oneHot(Tensor x, int numClasses) { return Indexing.oneHot(x, numClasses); }
    /**
     * Rows of {@code weight} looked up by {@code input}, as {@code torch.nn.functional.embedding}
     * without a padding index: {@code [*]} indices into {@code [num, dim]} give {@code [*, dim]}.
     * Backward scatter-adds the gradient into the looked-up rows (repeated indices accumulate).
     *
     * @param input  INT32 or INT64 indices, any shape, each in {@code [0, num)}
     * @param weight FLOAT32 {@code [num, dim]}
     * @return a new tensor of shape {@code input.shape() + [dim]}
     * @throws IllegalArgumentException if the dtypes or the weight's rank are wrong, or an index is
     *     out of range (on an asynchronous backend at the next synchronisation)
     */
    public static Tensor embedding(Tensor input, Tensor weight) { return Indexing.embedding(input, weight, 0, false); }
    /**
     * As {@link #embedding(Tensor, Tensor)}, with PyTorch's {@code padding_idx}: the row
     * {@code paddingIdx} gets no gradient (its entries are still looked up as they are).
     * {@code max_norm}, {@code scale_grad_by_freq} and {@code sparse} are not supported.
     *
     * @param input      INT32 or INT64 indices, any shape, each in {@code [0, num)}
     * @param weight     FLOAT32 {@code [num, dim]}
     * @param paddingIdx the row without gradient, in {@code [-num, num)} (negative counts from the end)
     * @return a new tensor of shape {@code input.shape() + [dim]}
     * @throws IllegalArgumentException as the two-argument form, or if paddingIdx is out of range
     */
    public static Tensor embedding(Tensor input, Tensor weight, int paddingIdx) {
        return Indexing.embedding(input, weight, paddingIdx, true);
    }

    // ---- conv kernels (issue 13) ----

    /**
     * {@code maxPool2d(relu(conv2d(x, weight, bias, conv)), pool)} as one op: the backend pools the
     * convolution's output while it is still in cache (and, when no gradient is needed, never
     * writes the full-size activation); the backward routes the pooled gradient, applies the
     * ReLU's mask and sums the bias gradient in one pass. Same values as the composition.
     *
     * @param x       input {@code [N, C, H, W]}
     * @param weight  weight {@code [O, C/groups, kh, kw]}
     * @param bias    bias {@code [O]}, or null for none
     * @param conv    as for {@link #conv2d}
     * @param pool    as for {@link #maxPool2d}, applied to the convolution's output
     * @return output {@code [N, O, H'', W'']}, all elements at least 0
     * @throws IllegalArgumentException as {@link #conv2d}, or as {@link #maxPool2d} for the
     *     convolution's output shape, or if {@code pool} is null
     */
    public static Tensor conv2dReluMaxPool2d(Tensor x, Tensor weight, Tensor bias, Conv2dOptions conv, Pool2dOptions pool) {
        return ConvReluPool.conv2dReluMaxPool2d(x, weight, bias, conv, pool);
    }
}
