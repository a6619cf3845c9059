package dev.kiln.spi;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Device;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The primitive operations a backend supplies. Every storage argument is contiguous,
 * allocated by this backend, and FLOAT32 unless the javadoc says otherwise. Shapes, broadcasting,
 * validation and composite ops live in engine-api; a backend checks nothing the API already
 * checked. Outputs are fully overwritten unless stated. An output may alias an input only
 * for elementwise ops ({@link #unary}, {@link #binary}, {@link #scalar}).
 *
 * <p>Implementations must be safe to call from any thread (calls on one backend may be
 * serialised internally). Results must be deterministic for identical inputs.
 */
public interface Backend {

    /** {@return the short name: "cpu", "cuda"} */
    String name();

    /** {@return the device this backend computes on} */
    Device device();

    /** {@return a one-line description for logs (e.g. "cuda:0 NVIDIA H100, driver 13.0, cuDNN 9.10")} */
    String description();

    // ---- memory ----

    /**
     * Allocates uninitialised storage.
     *
     * @param dtype element type
     * @param numel number of elements, at least 0
     * @return a new storage, owned by the caller (close it)
     * @throws OutOfMemoryError or a backend-specific exception when the device is out of memory
     */
    Storage allocate(DType dtype, long numel);

    /**
     * Copies {@code dst.byteSize()} bytes from host memory into {@code dst}.
     *
     * @param src host memory holding at least {@code dst.byteSize()} bytes, native byte order
     * @param dst the storage to overwrite
     */
    void copyFromHost(MemorySegment src, Storage dst);

    /**
     * Copies all of {@code src} into host memory; returns when the data is there.
     *
     * @param src the storage to read
     * @param dst host memory of at least {@code src.byteSize()} bytes
     */
    void copyToHost(Storage src, MemorySegment dst);

    /**
     * Device-local copy of {@code src} into {@code dst} (same dtype and numel).
     *
     * @param src the storage to read
     * @param dst the storage to overwrite
     */
    void copy(Storage src, Storage dst);

    /**
     * Device-local strided copy (see {@link StridedCopySpec}): every index of {@code spec.shape()}
     * copies one element of {@code in} at the spec's input offset and strides to {@code out} at its
     * output offset and strides; elements of {@code out} not addressed keep their values. Any dtype
     * (1, 4 or 8 bytes an element: BOOL, FLOAT32, INT32, INT64), moved bit for bit; {@code out} must
     * not alias {@code in}. This is what {@code permute}, {@code transpose}, {@code narrow},
     * {@code select}, {@code expand}, {@code cat} and their gradients run on, so they never pass
     * through host memory.
     *
     * @param spec the index space, offsets and strides
     * @param in   the storage to read, at least {@code spec.inExtent()} elements
     * @param out  the storage to write, at least {@code spec.outExtent()} elements, same dtype as {@code in}
     * @throws IllegalArgumentException if a storage is smaller than the spec's extent
     */
    void stridedCopy(StridedCopySpec spec, Storage in, Storage out);

    /**
     * Sets every element to {@code value} (for INT32 and INT64 {@code (int) value} and
     * {@code (long) value}; for BOOL 1 when {@code value} is non-zero, else 0).
     *
     * @param dst   the storage to overwrite
     * @param value the value of every element
     */
    void fill(Storage dst, float value);

    /** {@return bytes currently allocated to live storages (not counting allocator caches)} */
    long bytesInUse();

    /** Waits for all queued work to finish. */
    void synchronize();

    // ---- elementwise ----

    /**
     * {@code out = f(x)} elementwise.
     *
     * @param op    the function
     * @param alpha the function's parameter (see {@link UnaryOp}), ignored by most
     * @param x     input
     * @param out   output, same numel as {@code x}; may be {@code x} itself
     */
    void unary(UnaryOp op, float alpha, Storage x, Storage out);

    /**
     * {@code gradIn = gradOut * f'(x)}; {@code y = f(x)} is supplied for ops whose derivative
     * uses it (sigmoid, tanh, exp, sqrt).
     *
     * @param op      the function
     * @param alpha   the function's parameter, as in the forward call
     * @param x       the forward input
     * @param y       the forward output
     * @param gradOut gradient of the loss with respect to {@code y}
     * @param gradIn  receives the gradient with respect to {@code x}
     */
    void unaryBackward(UnaryOp op, float alpha, Storage x, Storage y, Storage gradOut, Storage gradIn);

    /**
     * {@code out = a (op) b} with broadcasting described by {@code spec}.
     *
     * @param op   the function
     * @param spec shapes of a, b and out, and the broadcast strides
     * @param a    first operand, {@code spec.aShape()}
     * @param b    second operand, {@code spec.bShape()}
     * @param out  output, {@code spec.outShape()}; may alias an operand of the same shape
     */
    void binary(BinaryOp op, Broadcast spec, Storage a, Storage b, Storage out);

    /**
     * {@code out = x (op) s} elementwise.
     *
     * @param op  the function
     * @param x   input
     * @param s   the scalar operand
     * @param out output, same numel as {@code x}; may be {@code x} itself
     */
    void scalar(ScalarOp op, Storage x, float s, Storage out);

    // ---- reductions ----

    /**
     * {@code out = sum of x over spec.axes()}.
     *
     * @param spec input shape and reduced axes
     * @param x    input, {@code spec.inNumel()} elements
     * @param out  output, {@code spec.outNumel()} elements
     */
    void sum(ReduceSpec spec, Storage x, Storage out);

    /**
     * Index of the maximum of each row (the first one on ties).
     *
     * @param rows rows of {@code x}
     * @param cols columns of {@code x}, at least 1
     * @param x    input {@code [rows, cols]}
     * @param out  INT32 output {@code [rows]}
     */
    void argmax(int rows, int cols, Storage x, Storage out);

    // ---- linear algebra ----

    /**
     * Batched GEMM, see {@link MatmulSpec}.
     *
     * @param spec sizes, transposition, batching and accumulation
     * @param a    left operand
     * @param b    right operand
     * @param out  output {@code [batch, m, n]}; read too when {@code spec.accumulate()}
     */
    void matmul(MatmulSpec spec, Storage a, Storage b, Storage out);

    // ---- convolution ----

    /**
     * Forward convolution: {@code y = conv(x, w) (+ bias[outC] per channel when bias != null)}.
     *
     * @param spec the geometry
     * @param x    input {@code spec.inputShape()}
     * @param w    weight {@code spec.weightShape()}
     * @param bias bias {@code [outC]}, or null for none
     * @param y    output {@code spec.outputShape()}
     */
    void conv2d(Conv2dSpec spec, Storage x, Storage w, Storage bias, Storage y);

    /**
     * Gradient with respect to the input (a transposed convolution of {@code gy} with {@code w}).
     *
     * @param spec the forward geometry
     * @param gy   gradient of the output, {@code spec.outputShape()}
     * @param w    the forward weight
     * @param gx   receives the input gradient, {@code spec.inputShape()}
     */
    void conv2dBackwardData(Conv2dSpec spec, Storage gy, Storage w, Storage gx);

    /**
     * Gradient with respect to the weight (a correlation of {@code x} with {@code gy}).
     *
     * @param spec the forward geometry
     * @param x    the forward input
     * @param gy   gradient of the output
     * @param gw   receives the weight gradient, {@code spec.weightShape()}
     */
    void conv2dBackwardWeight(Conv2dSpec spec, Storage x, Storage gy, Storage gw);

    /**
     * Gradient with respect to the bias: {@code gb[o] = sum over n, h, w of gy}.
     *
     * @param spec the forward geometry
     * @param gy   gradient of the output
     * @param gb   receives the bias gradient {@code [outC]}
     */
    void conv2dBackwardBias(Conv2dSpec spec, Storage gy, Storage gb);

    /**
     * Fused convolution, bias and ReLU: {@code y = max(conv(x, w) (+ bias), 0)}. The default runs
     * {@link #conv2d} and then an in-place {@link #unary} ReLU; a backend overrides it to apply the
     * ReLU while the output is still in cache.
     *
     * @param spec the geometry
     * @param x    input {@code spec.inputShape()}
     * @param w    weight {@code spec.weightShape()}
     * @param bias bias {@code [outC]}, or null for none
     * @param y    output {@code spec.outputShape()}
     */
    default void conv2dRelu(Conv2dSpec spec, Storage x, Storage w, Storage bias, Storage y) {
        conv2d(spec, x, w, bias, y);
        unary(UnaryOp.RELU, 0f, y, y);
    }

    /**
     * Backward of {@link #conv2dRelu}'s activation, with the bias gradient in the same pass:
     * {@code gz = y > 0 ? gy : 0} (the gradient at the convolution's output; {@code y} is the
     * fused op's output, positive exactly where the pre-activation is) and, when {@code gb} is
     * not null, {@code gb = } {@link #conv2dBackwardBias} of {@code gz}. The default composes those
     * two primitives.
     *
     * @param spec the forward geometry
     * @param y    the fused op's output
     * @param gy   gradient of {@code y}
     * @param gz   receives the gradient at the convolution's output (same shape as {@code y})
     * @param gb   receives the bias gradient {@code [outC]}, or null when there is no bias
     */
    default void conv2dReluBackward(Conv2dSpec spec, Storage y, Storage gy, Storage gz, Storage gb) {
        unaryBackward(UnaryOp.RELU, 0f, y, y, gy, gz);
        if (gb != null) conv2dBackwardBias(spec, gz, gb);
    }

    /**
     * Explicit zero or circular padding of the last two dimensions.
     *
     * @param spec the padding
     * @param x    input {@code [n, c, h, w]}
     * @param y    output {@code spec.outputShape()}
     */
    void pad2d(PadSpec spec, Storage x, Storage y);

    /**
     * Adjoint of {@link #pad2d}: each padded cell's gradient flows back to its source cell
     * (zero padding drops it; circular padding adds it to the wrapped cell).
     *
     * @param spec the forward padding
     * @param gy   gradient of the padded output
     * @param gx   receives the input gradient {@code [n, c, h, w]}
     */
    void pad2dBackward(PadSpec spec, Storage gy, Storage gx);

    // ---- pooling ----

    /**
     * Max pooling: each output cell is the maximum of its (dilated) window; padding never wins.
     *
     * @param spec the geometry
     * @param x    input {@code spec.inputShape()}
     * @param y    output {@code spec.outputShape()}
     */
    void maxPool2d(Pool2dSpec spec, Storage x, Storage y);

    /**
     * Routes {@code gy} to the first maximal input of each window (summing where windows overlap).
     *
     * @param spec the forward geometry
     * @param x    the forward input
     * @param y    the forward output (the maxima)
     * @param gy   gradient of the output
     * @param gx   receives the input gradient
     */
    void maxPool2dBackward(Pool2dSpec spec, Storage x, Storage y, Storage gy, Storage gx);

    /**
     * Average pooling, with the divisor chosen by {@code spec.countIncludePad()}.
     *
     * @param spec the geometry
     * @param x    input {@code spec.inputShape()}
     * @param y    output {@code spec.outputShape()}
     */
    void avgPool2d(Pool2dSpec spec, Storage x, Storage y);

    /**
     * Spreads each output gradient evenly (divided by the forward divisor) over its window.
     *
     * @param spec the forward geometry
     * @param gy   gradient of the output
     * @param gx   receives the input gradient
     */
    void avgPool2dBackward(Pool2dSpec spec, Storage gy, Storage gx);

    // ---- softmax and losses ----

    /**
     * Softmax, or log-softmax when {@code spec.log()}, along the middle axis of the view; the
     * maximum is subtracted first, so large logits do not overflow.
     *
     * @param spec the view and the variant
     * @param x    input {@code [outer, dim, inner]}
     * @param y    output, same shape
     */
    void softmax(SoftmaxSpec spec, Storage x, Storage y);

    /**
     * Gradient of {@link #softmax}, computed from its output alone.
     *
     * @param spec the forward view and variant
     * @param y    the forward output (probabilities, or log-probabilities when {@code spec.log()})
     * @param gy   gradient of {@code y}
     * @param gx   receives the gradient of the input
     */
    void softmaxBackward(SoftmaxSpec spec, Storage y, Storage gy, Storage gx);

    /**
     * Per-position losses {@code [n * inner]} and the log-probabilities {@code [n, classes, inner]}
     * (kept for backward). {@code targets} holds {@code n * inner} class indices of
     * {@code spec.targetType()}; a position whose target is {@code spec.ignoreIndex()} gets loss 0
     * (and 0 in {@code counted}); any other target outside [0, classes) throws
     * {@link IllegalArgumentException} naming it (a backend may detect it lazily, at the next sync).
     *
     * @param spec     sizes, label smoothing, ignore index and target type
     * @param logits   input {@code [n, classes, inner]}
     * @param targets  class indices {@code [n, inner]}, INT32 or INT64 as {@code spec.targetType()}
     * @param losses   receives the loss of each position {@code [n * inner]}
     * @param logProbs receives {@code log_softmax(logits)} along the class dimension {@code [n, classes, inner]}
     * @param counted  receives 1 for each position whose target is not ignored and 0 for each ignored one
     *                 (FLOAT32 {@code [n * inner]}, the divisor of a mean); null when not needed
     */
    void crossEntropy(CrossEntropySpec spec, Storage logits, Storage targets, Storage losses, Storage logProbs, Storage counted);

    /**
     * {@code gradLogits[i, j, k] = gradLoss[p] * (softmax[i, j, k] - target_dist[p, j])} with
     * {@code p = i * inner + k}, and 0 at the positions whose target is {@code spec.ignoreIndex()}.
     *
     * @param spec       sizes, label smoothing, ignore index and target type, as in the forward call
     * @param logProbs   the forward log-probabilities {@code [n, classes, inner]}
     * @param targets    class indices {@code [n, inner]}
     * @param gradLoss   gradient of each position's loss {@code [n * inner]}
     * @param gradLogits receives the gradient of the logits {@code [n, classes, inner]}
     */
    void crossEntropyBackward(CrossEntropySpec spec, Storage logProbs, Storage targets, Storage gradLoss, Storage gradLogits);

    // ---- normalisation ----

    /**
     * Training-mode batch norm. Writes {@code y}, the batch mean and inverse std per channel
     * ({@code saveMean}, {@code saveInvStd}, [c]) and updates {@code runningMean}/{@code runningVar}
     * in place when they are not null.
     *
     * @param spec        the view and hyper-parameters
     * @param x           input {@code [n, c, spatial]}
     * @param gamma       scale {@code [c]}
     * @param beta        shift {@code [c]}
     * @param y           output, same shape as {@code x}
     * @param saveMean    receives the batch mean {@code [c]}, for backward
     * @param saveInvStd  receives {@code 1/sqrt(var + eps)} of the batch {@code [c]}, for backward
     * @param runningMean running mean {@code [c]}, updated in place, or null
     * @param runningVar  running (unbiased) variance {@code [c]}, updated in place, or null
     */
    void batchNormTrain(BatchNormSpec spec, Storage x, Storage gamma, Storage beta, Storage y,
                        Storage saveMean, Storage saveInvStd, Storage runningMean, Storage runningVar);

    /**
     * Eval-mode batch norm: {@code y = gamma * (x - runningMean) / sqrt(runningVar + eps) + beta}.
     *
     * @param spec        the view and {@code eps}
     * @param x           input {@code [n, c, spatial]}
     * @param gamma       scale {@code [c]}
     * @param beta        shift {@code [c]}
     * @param runningMean running mean {@code [c]}
     * @param runningVar  running variance {@code [c]}
     * @param y           output, same shape as {@code x}
     */
    void batchNormEval(BatchNormSpec spec, Storage x, Storage gamma, Storage beta,
                       Storage runningMean, Storage runningVar, Storage y);

    /**
     * Gradients of training-mode batch norm for x, gamma and beta.
     *
     * @param spec       the forward view and hyper-parameters
     * @param x          the forward input
     * @param gamma      the forward scale {@code [c]}
     * @param gy         gradient of the output
     * @param saveMean   the batch mean saved by {@link #batchNormTrain}
     * @param saveInvStd the inverse std saved by {@link #batchNormTrain}
     * @param gx         receives the input gradient
     * @param gGamma     receives the scale gradient {@code [c]}
     * @param gBeta      receives the shift gradient {@code [c]}
     */
    void batchNormBackward(BatchNormSpec spec, Storage x, Storage gamma, Storage gy,
                           Storage saveMean, Storage saveInvStd, Storage gx, Storage gGamma, Storage gBeta);

    // ---- random ----

    /**
     * Dropout mask: element i is {@code 1/(1-p)} if {@code Philox.uniform(seed, offset + i) >= p},
     * else 0, with {@link Philox} the counter-based generator of engine-api (bit-identical on every
     * backend).
     *
     * @param seed   the stream's key
     * @param offset index of element 0 within the stream
     * @param p      drop probability, in [0, 1)
     * @param mask   receives the mask
     */
    void dropoutMask(long seed, long offset, float p, Storage mask);

    // ---- optimisers (fused, many tensors per call) ----

    /**
     * In-place Adam/AdamW over parallel lists of parameters, gradients and moment buffers.
     *
     * @param spec   hyper-parameters and step number
     * @param params parameters, updated in place
     * @param grads  their gradients (read only)
     * @param m      first-moment buffers, updated in place
     * @param v      second-moment buffers, updated in place
     */
    void adamStep(AdamSpec spec, List<Storage> params, List<Storage> grads, List<Storage> m, List<Storage> v);

    /**
     * In-place SGD.
     *
     * @param spec            hyper-parameters
     * @param params          parameters, updated in place
     * @param grads           their gradients (read only)
     * @param momentumBuffers momentum buffers, updated in place; empty when momentum is 0
     */
    void sgdStep(SgdSpec spec, List<Storage> params, List<Storage> grads, List<Storage> momentumBuffers);

    // ---- layer and RMS normalisation (issue 11) ----

    /**
     * Layer norm (or RMS norm when {@code spec.rms()}) of each row of {@code x [rows, cols]}, see
     * {@link LayerNormSpec}. Writes {@code y} and, per row, the mean (0 for RMS norm) and
     * {@code 1/sqrt(var + eps)} for the backward pass.
     *
     * @param spec       the view, {@code eps} and the variant
     * @param x          input {@code [rows, cols]}
     * @param weight     scale {@code [cols]}, or null for 1
     * @param bias       shift {@code [cols]}, or null for 0 (always null for RMS norm)
     * @param y          output {@code [rows, cols]}
     * @param saveMean   receives the mean of each row {@code [rows]} (0 for RMS norm)
     * @param saveInvStd receives {@code 1/sqrt(var + eps)} of each row {@code [rows]}
     */
    void layerNorm(LayerNormSpec spec, Storage x, Storage weight, Storage bias, Storage y, Storage saveMean, Storage saveInvStd);

    /**
     * Gradients of {@link #layerNorm}. With {@code xhat = (x - mean) * invStd} and
     * {@code g = gy * weight}: {@code gx = invStd * (g - mean(g) - xhat * mean(g * xhat))} per row
     * (for RMS norm without the {@code mean(g)} term), {@code gWeight = sum over rows of gy * xhat},
     * {@code gBias = sum over rows of gy}. The column sums must not depend on how the rows are
     * split among threads.
     *
     * @param spec       the forward view, {@code eps} and variant
     * @param x          the forward input {@code [rows, cols]}
     * @param weight     the forward scale {@code [cols]}, or null
     * @param gy         gradient of the output {@code [rows, cols]}
     * @param saveMean   the means saved by {@link #layerNorm}
     * @param saveInvStd the inverse standard deviations saved by {@link #layerNorm}
     * @param gx         receives the input gradient {@code [rows, cols]}, or null when not needed
     * @param gWeight    receives the scale gradient {@code [cols]}, or null when not needed
     * @param gBias      receives the shift gradient {@code [cols]}, or null when not needed
     */
    void layerNormBackward(LayerNormSpec spec, Storage x, Storage weight, Storage gy, Storage saveMean, Storage saveInvStd,
                           Storage gx, Storage gWeight, Storage gBias);

    // ---- attention (issue 11) ----

    /**
     * Fused scaled dot-product attention forward (see {@link AttentionSpec} for layouts, mask,
     * causal and dropout rules): {@code out = dropout(softmax(scale * q k^T + mask)) v}, computed tile
     * by tile with an online softmax so that no {@code lq x lk} matrix is stored; also writes the
     * log-sum-exp of each row's scores for {@link #attentionBackward}.
     *
     * @param spec sizes, scale, mask layout, causal flag and dropout stream
     * @param q    queries {@code [batch, lq, e]}
     * @param k    keys {@code [batch, lk, e]}
     * @param v    values {@code [batch, lk, ev]}
     * @param mask the mask ({@code spec.maskExtent()} elements at least), or null when {@code spec.maskKind()} is NONE
     * @param out  receives the output {@code [batch, lq, ev]}
     * @param lse  receives {@code log(sum_j exp(score_ij))} per row {@code [batch, lq]} ({@code -inf} for a fully masked row)
     */
    void attention(AttentionSpec spec, Storage q, Storage k, Storage v, Storage mask, Storage out, Storage lse);

    /**
     * Gradients of {@link #attention}, recomputing the probabilities tile by tile from {@code lse}
     * (memory linear in the sequence lengths) and regenerating the dropout mask from the spec's
     * stream. Each gradient argument may be null when it is not wanted. The mask gets no gradient.
     *
     * @param spec    the forward spec
     * @param q       the forward queries
     * @param k       the forward keys
     * @param v       the forward values
     * @param mask    the forward mask, or null
     * @param out     the forward output
     * @param lse     the forward log-sum-exp
     * @param gradOut gradient of the output {@code [batch, lq, ev]}
     * @param gq      receives the query gradient {@code [batch, lq, e]}, or null
     * @param gk      receives the key gradient {@code [batch, lk, e]}, or null
     * @param gv      receives the value gradient {@code [batch, lk, ev]}, or null
     */
    void attentionBackward(AttentionSpec spec, Storage q, Storage k, Storage v, Storage mask, Storage out, Storage lse,
                           Storage gradOut, Storage gq, Storage gk, Storage gv);

    // ---- value and index reductions (issue 11) ----

    /**
     * The maximum or minimum of each line of {@code x [outer, dim, inner]} along the middle axis and
     * its index (see {@link ArgReduceSpec} for ties and NaN): what {@code max}, {@code min},
     * {@code argmax} and {@code argmin} along a dimension run on.
     *
     * @param spec    the view and the direction
     * @param x       input, {@code spec.numel()} elements
     * @param values  receives the values {@code [outer, inner]}, or null when only indices are wanted
     * @param indices receives the INT64 indices {@code [outer, inner]}, each in {@code [0, dim)}
     */
    void argReduce(ArgReduceSpec spec, Storage x, Storage values, Storage indices);

    /**
     * The {@code k} largest or smallest elements of each line of {@code x [outer, dim, inner]} along
     * the middle axis, with their indices, in {@link TopkSpec}'s order.
     *
     * @param spec    the view, k and the order
     * @param x       input, {@code spec.numel()} elements
     * @param values  receives the values {@code [outer, k, inner]}
     * @param indices receives the INT64 indices {@code [outer, k, inner]}
     */
    void topk(TopkSpec spec, Storage x, Storage values, Storage indices);

    /**
     * Gradient of {@link #topk} (and, with {@code k = 1}, of max and min along a dimension):
     * {@code gx} is zero except {@code gx[o, indices[o, j, i], i] = gy[o, j, i]}. The indices of one
     * line are distinct, as topk produces them.
     *
     * @param spec    the forward view and k
     * @param gy      gradient of the values {@code [outer, k, inner]}
     * @param indices the forward INT64 indices {@code [outer, k, inner]}
     * @param gx      receives the input gradient {@code [outer, dim, inner]}, fully overwritten
     */
    void topkBackward(TopkSpec spec, Storage gy, Storage indices, Storage gx);

    // ---- masks and dtypes (issue 11) ----

    /**
     * Elementwise conversion of {@code in} to {@code out}'s dtype, as PyTorch's {@code to(dtype)}:
     * FLOAT32 to an integer rounds toward zero, saturating at the integer's range (NaN gives 0;
     * PyTorch leaves those cases undefined); an integer or BOOL to FLOAT32 rounds to nearest;
     * INT64 to INT32 keeps the low 32 bits; anything to BOOL is {@code value != 0} (NaN is true);
     * BOOL to a number is 0 or 1. The dtypes may be equal (a copy).
     *
     * @param in  the storage to read, any dtype
     * @param out the storage to write, any dtype, same numel as {@code in}; must not alias {@code in}
     */
    void cast(Storage in, Storage out);

    /**
     * {@code out = a (op) b} with broadcasting described by {@code spec}: a BOOL result (1 where the
     * comparison holds, else 0). Integers compare exactly; FLOAT32 follows IEEE-754 (NaN compares
     * unequal to everything).
     *
     * @param op   the comparison
     * @param spec shapes of a, b and out, and the broadcast strides
     * @param a    first operand, {@code spec.aShape()}, any dtype
     * @param b    second operand, {@code spec.bShape()}, the dtype of {@code a}
     * @param out  BOOL output, {@code spec.outShape()}
     */
    void compare(CompareOp op, Broadcast spec, Storage a, Storage b, Storage out);

    /**
     * {@code out = cond ? a : b} elementwise with broadcasting described by {@code spec}; elements
     * move bit for bit, so any dtype works.
     *
     * @param spec shapes of cond, a, b and out, and the broadcast strides
     * @param cond BOOL condition, {@code spec.condShape()}
     * @param a    taken where {@code cond} is true, {@code spec.aShape()}
     * @param b    taken where {@code cond} is false, {@code spec.bShape()}, the dtype of {@code a}
     * @param out  output, {@code spec.outShape()}, the dtype of {@code a}; must not alias an input
     */
    void where(WhereSpec spec, Storage cond, Storage a, Storage b, Storage out);

    /**
     * The lower or upper triangle of each matrix (see {@link TriangleSpec}); elements outside it are
     * set to zero (all bits clear, so any dtype works).
     *
     * @param spec the matrices and the diagonal
     * @param x    input {@code [batch, rows, cols]}, any dtype
     * @param out  output, same shape and dtype; must not alias {@code x}
     */
    void triangle(TriangleSpec spec, Storage x, Storage out);

    // ---- recurrent cells (issue 11) ----

    /**
     * Fused pointwise part of one LSTM step (PyTorch's gate order i, f, g, o): with
     * {@code a = inputGates + hiddenGates}, {@code i = sigmoid(a_i)}, {@code f = sigmoid(a_f)},
     * {@code g = tanh(a_g)}, {@code o = sigmoid(a_o)}, it writes {@code c = f * cPrev + i * g},
     * {@code h = o * tanh(c)} and the activated gates {@code [i, f, g, o]} for {@link #lstmCellBackward}.
     *
     * @param spec        batch and hidden sizes
     * @param inputGates  {@code [batch, 4 * hidden]}: the input projection {@code x W_ih^T (+ b_ih)}
     * @param hiddenGates {@code [batch, 4 * hidden]}: the recurrent projection {@code h W_hh^T (+ b_hh)}
     * @param cPrev       the previous cell state {@code [batch, hidden]}
     * @param h           receives the new hidden state {@code [batch, hidden]}
     * @param c           receives the new cell state {@code [batch, hidden]}
     * @param gates       receives the activated gates {@code [batch, 4 * hidden]}
     */
    void lstmCell(RnnCellSpec spec, Storage inputGates, Storage hiddenGates, Storage cPrev, Storage h, Storage c, Storage gates);

    /**
     * Backward of {@link #lstmCell}: from the gradients of {@code h} and {@code c}, the gradient of
     * the pre-activation gates (the same for the input and the hidden projection) and of {@code cPrev}.
     *
     * @param spec   batch and hidden sizes, as in the forward call
     * @param gates  the activated gates saved by the forward call {@code [batch, 4 * hidden]}
     * @param cPrev  the forward's previous cell state
     * @param c      the forward's new cell state
     * @param gh     gradient of {@code h}
     * @param gc     gradient of {@code c} (from later steps or the final state), without the part through {@code h}
     * @param gGates receives the gradient of the pre-activation gates {@code [batch, 4 * hidden]}
     * @param gcPrev receives the gradient of {@code cPrev}
     */
    void lstmCellBackward(RnnCellSpec spec, Storage gates, Storage cPrev, Storage c, Storage gh, Storage gc,
                          Storage gGates, Storage gcPrev);

    /**
     * Fused pointwise part of one GRU step (gate order r, z, n): {@code r = sigmoid(x_r + h_r)},
     * {@code z = sigmoid(x_z + h_z)}, {@code n = tanh(x_n + r * h_n)}, {@code h = (1 - z) * n + z * hPrev},
     * where x and h are the input and hidden projections (each with its own bias, so {@code h_n}
     * includes {@code b_hn}); writes the activated gates {@code [r, z, n]} for {@link #gruCellBackward}.
     *
     * @param spec        batch and hidden sizes
     * @param inputGates  {@code [batch, 3 * hidden]}: {@code x W_ih^T (+ b_ih)}
     * @param hiddenGates {@code [batch, 3 * hidden]}: {@code hPrev W_hh^T (+ b_hh)}
     * @param hPrev       the previous hidden state {@code [batch, hidden]}
     * @param h           receives the new hidden state {@code [batch, hidden]}
     * @param gates       receives the activated gates {@code [batch, 3 * hidden]}
     */
    void gruCell(RnnCellSpec spec, Storage inputGates, Storage hiddenGates, Storage hPrev, Storage h, Storage gates);

    /**
     * Backward of {@link #gruCell}.
     *
     * @param spec         batch and hidden sizes, as in the forward call
     * @param gates        the activated gates saved by the forward call {@code [batch, 3 * hidden]}
     * @param hiddenGates  the forward's hidden projection {@code [batch, 3 * hidden]}
     * @param hPrev        the forward's previous hidden state
     * @param gh           gradient of the new hidden state
     * @param gInputGates  receives the gradient of {@code inputGates} {@code [batch, 3 * hidden]}
     * @param gHiddenGates receives the gradient of {@code hiddenGates} {@code [batch, 3 * hidden]}
     * @param ghPrev       receives the gradient of {@code hPrev} through the pointwise part only
     *                     ({@code gh * z}; the caller adds the part through {@code hiddenGates})
     */
    void gruCellBackward(RnnCellSpec spec, Storage gates, Storage hiddenGates, Storage hPrev, Storage gh,
                         Storage gInputGates, Storage gHiddenGates, Storage ghPrev);

    // ---- indexing (issue 11) ----

    /**
     * Gather along one dimension (see {@link IndexSpec}): {@code out[o, k, i] = x[o, index(o, k, i), i]}.
     * Any dtype, moved bit for bit. An index outside {@code [0, spec.size())} throws
     * {@link IllegalArgumentException} ({@link IndexSpec#outOfRange}) naming the first one, before
     * anything is written; an asynchronous backend may instead write zeros for it and throw at the
     * next {@link #synchronize} or {@link #copyToHost}.
     *
     * @param spec  the view and the index layout
     * @param x     the indexed tensor, {@code spec.indexedNumel()} elements
     * @param index INT32 or INT64, {@code spec.indexNumel()} elements
     * @param out   output, {@code spec.otherNumel()} elements, same dtype as {@code x}
     */
    void indexGather(IndexSpec spec, Storage x, Storage index, Storage out);

    /**
     * Scatter-add along one dimension, the adjoint of {@link #indexGather}:
     * {@code out[o, index(o, k, i), i] += src[o, k, i]}, except entries whose index equals
     * {@code spec.skip()}. Accumulates into {@code out} (not overwritten). Each element of
     * {@code out} adds its contributions in increasing {@code k}, so the result is the same on any
     * number of threads. Out-of-range indices are reported as by {@link #indexGather} (and skipped).
     *
     * @param spec  the view and the index layout
     * @param src   FLOAT32 source, {@code spec.otherNumel()} elements
     * @param index INT32 or INT64, {@code spec.indexNumel()} elements
     * @param out   FLOAT32, {@code spec.indexedNumel()} elements, read and written
     */
    void indexScatterAdd(IndexSpec spec, Storage src, Storage index, Storage out);

    /**
     * One-hot encoding: {@code out[j, c] = 1} if {@code index[j] == c}, else 0. A value outside
     * {@code [0, classes)} throws {@link IllegalArgumentException} ({@link IndexSpec#classOutOfRange})
     * naming the first one, or, on an asynchronous backend, at the next synchronisation (its row
     * then stays zero).
     *
     * @param classes the number of classes, at least 0
     * @param index   INT32 or INT64 class values {@code [n]}
     * @param out     INT64 output {@code [n, classes]}
     */
    void oneHot(int classes, Storage index, Storage out);

    /**
     * The smallest and largest value of an index, computed on the device and returned to the host
     * (a synchronisation): what {@code oneHot} with an inferred class count needs.
     *
     * @param index INT32 or INT64, at least one element
     * @return {@code {min, max}}
     */
    long[] indexRange(Storage index);

    // ---- conv kernels (issue 13) ----

    /**
     * Fused convolution, bias, ReLU and max pooling:
     * {@code out = maxPool2d(max(conv(x, w) (+ bias), 0))}, and, when {@code y} is not null, the
     * pre-pool activation {@code max(conv(x, w) (+ bias), 0)} in {@code y} (what the backward needs;
     * inference passes null and the full-size activation need not be written at all). The default
     * runs {@link #conv2dRelu} into {@code y} (or a temporary) and then {@link #maxPool2d}; a backend
     * overrides it to pool each block of the convolution's output while it is still in cache.
     *
     * @param conv the convolution's geometry
     * @param pool the pooling's geometry; its input shape is {@code conv.outputShape()}
     * @param x    input {@code conv.inputShape()}
     * @param w    weight {@code conv.weightShape()}
     * @param bias bias {@code [outC]}, or null for none
     * @param y    receives the pre-pool activation {@code conv.outputShape()}, or null when not wanted
     * @param out  output {@code pool.outputShape()}
     */
    default void conv2dReluMaxPool2d(Conv2dSpec conv, Pool2dSpec pool, Storage x, Storage w, Storage bias, Storage y, Storage out) {
        Storage pre = y != null ? y : allocate(DType.FLOAT32, (long) conv.n() * conv.outC() * conv.outH() * conv.outW());
        try {
            conv2dRelu(conv, x, w, bias, pre);
            maxPool2d(pool, pre, out);
        } finally {
            if (y == null) pre.close();
        }
    }

    /**
     * Backward of {@link #conv2dReluMaxPool2d}'s pooling and activation, with the bias gradient:
     * {@code gz} is the gradient at the convolution's output (each window's {@code gOut} routed to
     * its first maximum as {@link #maxPool2dBackward} does, then zero where {@code y <= 0}) and, when
     * {@code gb} is not null, {@code gb = } {@link #conv2dBackwardBias} of {@code gz}: the same values
     * as {@link #maxPool2dBackward} followed by {@link #conv2dReluBackward}, which the default runs.
     *
     * @param conv the forward convolution's geometry
     * @param pool the forward pooling's geometry
     * @param y    the pre-pool activation the forward wrote
     * @param out  the forward output (the pooled maxima)
     * @param gOut gradient of {@code out}
     * @param gz   receives the gradient at the convolution's output {@code conv.outputShape()}
     * @param gb   receives the bias gradient {@code [outC]}, or null when there is no bias
     */
    default void conv2dReluMaxPool2dBackward(Conv2dSpec conv, Pool2dSpec pool, Storage y, Storage out, Storage gOut, Storage gz, Storage gb) {
        Storage gy = allocate(DType.FLOAT32, (long) conv.n() * conv.outC() * conv.outH() * conv.outW());
        try {
            maxPool2dBackward(pool, y, out, gOut, gy);
            conv2dReluBackward(conv, y, gy, gz, gb);
        } finally {
            gy.close();
        }
    }
}
