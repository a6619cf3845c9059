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

    /** Short name: "cpu", "cuda". */
    String name();

    /** The device this backend computes on. */
    Device device();

    /** A one-line description for logs (e.g. "cuda:0 NVIDIA H100, driver 13.0, cuDNN 9.10"). */
    String description();

    // ---- memory ----

    /** Allocates uninitialised storage. */
    Storage allocate(DType dtype, long numel);

    /** Copies {@code dst.byteSize()} bytes from host memory into {@code dst}. */
    void copyFromHost(MemorySegment src, Storage dst);

    /** Copies all of {@code src} into host memory; returns when the data is there. */
    void copyToHost(Storage src, MemorySegment dst);

    /** Device-local copy of {@code src} into {@code dst} (same dtype and numel). */
    void copy(Storage src, Storage dst);

    /** Sets every element to {@code value} (for INT32, {@code (int) value}). */
    void fill(Storage dst, float value);

    /** Bytes currently allocated to live storages (not counting allocator caches). */
    long bytesInUse();

    /** Waits for all queued work to finish. */
    void synchronize();

    // ---- elementwise ----

    /** {@code out = f(x)}, numel elements. {@code alpha}: see {@link UnaryOp}. */
    void unary(UnaryOp op, float alpha, Storage x, Storage out);

    /** {@code gradIn = gradOut * f'(x)}; {@code y = f(x)} is supplied for ops whose derivative uses it. */
    void unaryBackward(UnaryOp op, float alpha, Storage x, Storage y, Storage gradOut, Storage gradIn);

    /** {@code out = a (op) b} with broadcasting described by {@code spec}. */
    void binary(BinaryOp op, Broadcast spec, Storage a, Storage b, Storage out);

    /** {@code out = x (op) s}. */
    void scalar(ScalarOp op, Storage x, float s, Storage out);

    // ---- reductions ----

    /** {@code out = sum of x over spec.axes()}, out has {@code spec.outNumel()} elements. */
    void sum(ReduceSpec spec, Storage x, Storage out);

    /** Index of the maximum of each row of {@code x [rows, cols]} into int32 {@code out [rows]} (first on ties). */
    void argmax(int rows, int cols, Storage x, Storage out);

    // ---- linear algebra ----

    /** Batched GEMM, see {@link MatmulSpec}. */
    void matmul(MatmulSpec spec, Storage a, Storage b, Storage out);

    // ---- convolution ----

    /** {@code y = conv(x, w) (+ bias[outC] per channel when bias != null)}. */
    void conv2d(Conv2dSpec spec, Storage x, Storage w, Storage bias, Storage y);

    /** Gradient with respect to the input, from the output gradient {@code gy}. */
    void conv2dBackwardData(Conv2dSpec spec, Storage gy, Storage w, Storage gx);

    /** Gradient with respect to the weight. */
    void conv2dBackwardWeight(Conv2dSpec spec, Storage x, Storage gy, Storage gw);

    /** Gradient with respect to the bias: {@code gb[o] = sum over n, h, w of gy}. */
    void conv2dBackwardBias(Conv2dSpec spec, Storage gy, Storage gb);

    /**
     * Fused convolution, bias and ReLU: {@code y = max(conv(x, w) (+ bias), 0)}. The default runs
     * {@link #conv2d} and then an in-place {@link #unary} ReLU; a backend overrides it to apply the
     * ReLU while the output is still in cache.
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
     */
    default void conv2dReluBackward(Conv2dSpec spec, Storage y, Storage gy, Storage gz, Storage gb) {
        unaryBackward(UnaryOp.RELU, 0f, y, y, gy, gz);
        if (gb != null) conv2dBackwardBias(spec, gz, gb);
    }

    /** Explicit zero or circular padding. */
    void pad2d(PadSpec spec, Storage x, Storage y);

    /** Adjoint of {@link #pad2d}: each padded cell's gradient flows back to its source cell. */
    void pad2dBackward(PadSpec spec, Storage gy, Storage gx);

    // ---- pooling ----

    void maxPool2d(Pool2dSpec spec, Storage x, Storage y);

    /** Routes {@code gy} to the first maximal input of each window; {@code y} is the forward output. */
    void maxPool2dBackward(Pool2dSpec spec, Storage x, Storage y, Storage gy, Storage gx);

    void avgPool2d(Pool2dSpec spec, Storage x, Storage y);

    void avgPool2dBackward(Pool2dSpec spec, Storage gy, Storage gx);

    // ---- softmax and losses ----

    void softmax(SoftmaxSpec spec, Storage x, Storage y);

    /** From the forward output {@code y} (probabilities, or log-probabilities when {@code spec.log()}). */
    void softmaxBackward(SoftmaxSpec spec, Storage y, Storage gy, Storage gx);

    /**
     * Per-sample losses {@code [n]} and the log-probabilities {@code [n, classes]} (kept for
     * backward). {@code targets} is INT32 {@code [n]}; a target outside [0, classes) throws
     * {@link IllegalArgumentException} naming it (a backend may detect it lazily, at the next sync).
     */
    void crossEntropy(CrossEntropySpec spec, Storage logits, Storage targets, Storage losses, Storage logProbs);

    /** {@code gradLogits[i, j] = gradLoss[i] * (softmax[i, j] - target_dist[i, j])}. */
    void crossEntropyBackward(CrossEntropySpec spec, Storage logProbs, Storage targets, Storage gradLoss, Storage gradLogits);

    // ---- normalisation ----

    /**
     * Training-mode batch norm. Writes {@code y}, the batch mean and inverse std per channel
     * ({@code saveMean}, {@code saveInvStd}, [c]) and updates {@code runningMean}/{@code runningVar}
     * in place when they are not null.
     */
    void batchNormTrain(BatchNormSpec spec, Storage x, Storage gamma, Storage beta, Storage y,
                        Storage saveMean, Storage saveInvStd, Storage runningMean, Storage runningVar);

    /** Eval-mode batch norm with running statistics. */
    void batchNormEval(BatchNormSpec spec, Storage x, Storage gamma, Storage beta,
                       Storage runningMean, Storage runningVar, Storage y);

    /** Gradients of training-mode batch norm for x, gamma and beta. */
    void batchNormBackward(BatchNormSpec spec, Storage x, Storage gamma, Storage gy,
                           Storage saveMean, Storage saveInvStd, Storage gx, Storage gGamma, Storage gBeta);

    // ---- random ----

    /**
     * Dropout mask: element i is {@code 1/(1-p)} if {@code Philox.uniform(seed, offset + i) >= p},
     * else 0, with {@link Philox} the counter-based generator of engine-api (bit-identical on every
     * backend).
     */
    void dropoutMask(long seed, long offset, float p, Storage mask);

    // ---- optimisers (fused, many tensors per call) ----

    /** In-place Adam/AdamW over parallel lists of parameters, gradients and moment buffers. */
    void adamStep(AdamSpec spec, List<Storage> params, List<Storage> grads, List<Storage> m, List<Storage> v);

    /** In-place SGD; {@code momentumBuffers} is empty when momentum is 0. */
    void sgdStep(SgdSpec spec, List<Storage> params, List<Storage> grads, List<Storage> momentumBuffers);
}
