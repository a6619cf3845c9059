package dev.kiln.cuda.ffi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.kiln.cuda.ffi.Dnn.AlgoPerf;
import dev.kiln.cuda.ffi.Dnn.ConvDesc;
import dev.kiln.cuda.ffi.Dnn.FilterDesc;
import dev.kiln.cuda.ffi.Dnn.PoolDesc;
import dev.kiln.cuda.ffi.Dnn.TensorDesc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * The cuDNN operations Kiln uses, on one {@link Dnn.Handle}, checked. Pointers are device
 * addresses ({@code 0} = NULL where cuDNN allows it); {@code context} names the op and shapes for
 * error messages. Outputs are overwritten (beta = 0) unless said.
 */
public final class DnnCalls {
    private final MemorySegment h;

    DnnCalls(Dnn.Handle handle) {
        this.h = handle.ptr;
    }

    private static MemorySegment p(long address) {
        return Dnn.address(address);
    }

    /** A cuDNN call taking host scaling factors {@code alpha} (1) and {@code beta} (0). */
    @FunctionalInterface
    private interface ScaledCall {
        int invoke(MemorySegment alpha, MemorySegment beta) throws Throwable;
    }

    /** Runs {@code call} with alpha = 1 and beta = 0 in host memory and checks its status. */
    private static void scaled(String function, String context, ScaledCall call) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] ab = Dnn.oneZero(arena);
            Dnn.checked(function, context, () -> call.invoke(ab[0], ab[1]));
        }
    }

    private List<AlgoPerf> algos(MethodHandle get, String name, MemorySegment a, MemorySegment b, MemorySegment conv,
                                 MemorySegment c, String context) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            MemorySegment perf = arena.allocate(Dnn.PERF_BYTES * Dnn.MAX_ALGOS, 8);
            Dnn.check(name, (int) get.invokeExact(h, a, b, conv, c, Dnn.MAX_ALGOS, count, perf), context);
            return Dnn.parsePerf(perf, Math.min(count.get(JAVA_INT, 0), Dnn.MAX_ALGOS));
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    private long workspace(MethodHandle get, String name, MemorySegment a, MemorySegment b, MemorySegment conv,
                           MemorySegment c, int algo, String context) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(JAVA_LONG);
            Dnn.check(name, (int) get.invokeExact(h, a, b, conv, c, algo, size), context + ", algo " + algo);
            return size.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** Heuristic ranking of forward algorithms ({@code cudnnGetConvolutionForwardAlgorithm_v7}). */
    public List<AlgoPerf> forwardAlgorithms(TensorDesc x, FilterDesc w, ConvDesc conv, TensorDesc y, String context) {
        return algos(Cudnn.GET_FWD_ALGO_V7, "cudnnGetConvolutionForwardAlgorithm_v7", x.ptr, w.ptr, conv.ptr, y.ptr, context);
    }

    /** Heuristic ranking of backward-data algorithms. */
    public List<AlgoPerf> backwardDataAlgorithms(FilterDesc w, TensorDesc dy, ConvDesc conv, TensorDesc dx, String context) {
        return algos(Cudnn.GET_BWD_DATA_ALGO_V7, "cudnnGetConvolutionBackwardDataAlgorithm_v7", w.ptr, dy.ptr, conv.ptr,
                dx.ptr, context);
    }

    /** Heuristic ranking of backward-filter algorithms. */
    public List<AlgoPerf> backwardFilterAlgorithms(TensorDesc x, TensorDesc dy, ConvDesc conv, FilterDesc dw, String context) {
        return algos(Cudnn.GET_BWD_FILTER_ALGO_V7, "cudnnGetConvolutionBackwardFilterAlgorithm_v7", x.ptr, dy.ptr, conv.ptr,
                dw.ptr, context);
    }

    /** Forward algorithms ranked by a timed run of each ({@code cudnnFindConvolutionForwardAlgorithm}; synchronises). */
    public List<AlgoPerf> findForwardAlgorithms(TensorDesc x, FilterDesc w, ConvDesc conv, TensorDesc y, String context) {
        return algos(Cudnn.FIND_FWD_ALGO, "cudnnFindConvolutionForwardAlgorithm", x.ptr, w.ptr, conv.ptr, y.ptr, context);
    }

    /** Backward-data algorithms ranked by a timed run of each. */
    public List<AlgoPerf> findBackwardDataAlgorithms(FilterDesc w, TensorDesc dy, ConvDesc conv, TensorDesc dx, String context) {
        return algos(Cudnn.FIND_BWD_DATA_ALGO, "cudnnFindConvolutionBackwardDataAlgorithm", w.ptr, dy.ptr, conv.ptr, dx.ptr,
                context);
    }

    /** Backward-filter algorithms ranked by a timed run of each. */
    public List<AlgoPerf> findBackwardFilterAlgorithms(TensorDesc x, TensorDesc dy, ConvDesc conv, FilterDesc dw, String context) {
        return algos(Cudnn.FIND_BWD_FILTER_ALGO, "cudnnFindConvolutionBackwardFilterAlgorithm", x.ptr, dy.ptr, conv.ptr,
                dw.ptr, context);
    }

    /** Workspace bytes of a forward algorithm. */
    public long forwardWorkspace(TensorDesc x, FilterDesc w, ConvDesc conv, TensorDesc y, int algo, String context) {
        return workspace(Cudnn.GET_FWD_WORKSPACE, "cudnnGetConvolutionForwardWorkspaceSize", x.ptr, w.ptr, conv.ptr, y.ptr,
                algo, context);
    }

    /** Workspace bytes of a backward-data algorithm. */
    public long backwardDataWorkspace(FilterDesc w, TensorDesc dy, ConvDesc conv, TensorDesc dx, int algo, String context) {
        return workspace(Cudnn.GET_BWD_DATA_WORKSPACE, "cudnnGetConvolutionBackwardDataWorkspaceSize", w.ptr, dy.ptr,
                conv.ptr, dx.ptr, algo, context);
    }

    /** Workspace bytes of a backward-filter algorithm. */
    public long backwardFilterWorkspace(TensorDesc x, TensorDesc dy, ConvDesc conv, FilterDesc dw, int algo, String context) {
        return workspace(Cudnn.GET_BWD_FILTER_WORKSPACE, "cudnnGetConvolutionBackwardFilterWorkspaceSize", x.ptr, dy.ptr,
                conv.ptr, dw.ptr, algo, context);
    }

    /** {@code y = conv(x, w)}. */
    public void convolutionForward(TensorDesc xd, long x, FilterDesc wd, long w, ConvDesc conv, int algo, long ws, long wsBytes,
                                   TensorDesc yd, long y, String context) {
        scaled("cudnnConvolutionForward", context + ", algo " + algo, (alpha, beta) -> (int) Cudnn.CONV_FORWARD.invokeExact(h,
                alpha, xd.ptr, p(x), wd.ptr, p(w), conv.ptr, algo, p(ws), wsBytes, beta, yd.ptr, p(y)));
    }

    /** {@code dx = conv_transpose(dy, w)}. */
    public void convolutionBackwardData(FilterDesc wd, long w, TensorDesc dyd, long dy, ConvDesc conv, int algo, long ws,
                                        long wsBytes, TensorDesc dxd, long dx, String context) {
        scaled("cudnnConvolutionBackwardData", context + ", algo " + algo, (alpha, beta) -> (int) Cudnn.CONV_BACKWARD_DATA.invokeExact(h,
                alpha, wd.ptr, p(w), dyd.ptr, p(dy), conv.ptr, algo, p(ws), wsBytes, beta, dxd.ptr, p(dx)));
    }

    /** {@code dw = correlation of x with dy}. */
    public void convolutionBackwardFilter(TensorDesc xd, long x, TensorDesc dyd, long dy, ConvDesc conv, int algo, long ws,
                                          long wsBytes, FilterDesc dwd, long dw, String context) {
        scaled("cudnnConvolutionBackwardFilter", context + ", algo " + algo, (alpha, beta) -> (int) Cudnn.CONV_BACKWARD_FILTER.invokeExact(h,
                alpha, xd.ptr, p(x), dyd.ptr, p(dy), conv.ptr, algo, p(ws), wsBytes, beta, dwd.ptr, p(dw)));
    }

    /** {@code db[c] = sum over n, h, w of dy}. */
    public void convolutionBackwardBias(TensorDesc dyd, long dy, TensorDesc dbd, long db, String context) {
        scaled("cudnnConvolutionBackwardBias", context, (alpha, beta) -> (int) Cudnn.CONV_BACKWARD_BIAS.invokeExact(h,
                alpha, dyd.ptr, p(dy), beta, dbd.ptr, p(db)));
    }

    /** {@code c += a} broadcast over c's dimensions (beta = 1: accumulates). */
    public void addTensor(TensorDesc ad, long a, TensorDesc cd, long c, String context) {
        // alpha (1) is passed as beta too.
        scaled("cudnnAddTensor", context, (alpha, beta) -> (int) Cudnn.ADD_TENSOR.invokeExact(h,
                alpha, ad.ptr, p(a), alpha, cd.ptr, p(c)));
    }

    /** {@code y = pool(x)}. */
    public void poolingForward(PoolDesc pool, TensorDesc xd, long x, TensorDesc yd, long y, String context) {
        scaled("cudnnPoolingForward", context, (alpha, beta) -> (int) Cudnn.POOLING_FORWARD.invokeExact(h, pool.ptr,
                alpha, xd.ptr, p(x), beta, yd.ptr, p(y)));
    }

    /** {@code dx} from {@code y = pool(x)} and {@code dy}. */
    public void poolingBackward(PoolDesc pool, TensorDesc yd, long y, long dy, TensorDesc xd, long x, long dx, String context) {
        scaled("cudnnPoolingBackward", context, (alpha, beta) -> (int) Cudnn.POOLING_BACKWARD.invokeExact(h, pool.ptr,
                alpha, yd.ptr, p(y), yd.ptr, p(dy), xd.ptr, p(x), beta, xd.ptr, p(dx)));
    }

    /** Softmax over the channel dimension ({@code CUDNN_SOFTMAX_MODE_CHANNEL}); {@code algo} ACCURATE or LOG. */
    public void softmaxForward(int algo, TensorDesc d, long x, long y, String context) {
        scaled("cudnnSoftmaxForward", context, (alpha, beta) -> (int) Cudnn.SOFTMAX_FORWARD.invokeExact(h, algo, Cudnn.SOFTMAX_MODE_CHANNEL,
                alpha, d.ptr, p(x), beta, d.ptr, p(y)));
    }

    /** Gradient of {@link #softmaxForward} from its output {@code y}. */
    public void softmaxBackward(int algo, TensorDesc d, long y, long dy, long dx, String context) {
        scaled("cudnnSoftmaxBackward", context, (alpha, beta) -> (int) Cudnn.SOFTMAX_BACKWARD.invokeExact(h, algo, Cudnn.SOFTMAX_MODE_CHANNEL,
                alpha, d.ptr, p(y), d.ptr, p(dy), beta, d.ptr, p(dx)));
    }

    /** Spatial batch norm, training: batch statistics, optional running-stat update (both 0 to skip). */
    public void batchNormForwardTraining(TensorDesc xd, long x, long y, TensorDesc bn, long scale, long bias, double factor,
                                         long runningMean, long runningVar, double eps, long saveMean, long saveInvVar,
                                         String context) {
        scaled("cudnnBatchNormalizationForwardTraining", context, (alpha, beta) -> (int) Cudnn.BN_FORWARD_TRAINING.invokeExact(h,
                Cudnn.BATCHNORM_SPATIAL, alpha, beta, xd.ptr, p(x), xd.ptr, p(y), bn.ptr, p(scale), p(bias), factor,
                p(runningMean), p(runningVar), eps, p(saveMean), p(saveInvVar)));
    }

    /** Spatial batch norm with given statistics. */
    public void batchNormForwardInference(TensorDesc xd, long x, long y, TensorDesc bn, long scale, long bias, long mean,
                                          long var, double eps, String context) {
        scaled("cudnnBatchNormalizationForwardInference", context, (alpha, beta) -> (int) Cudnn.BN_FORWARD_INFERENCE.invokeExact(h,
                Cudnn.BATCHNORM_SPATIAL, alpha, beta, xd.ptr, p(x), xd.ptr, p(y), bn.ptr, p(scale), p(bias), p(mean), p(var), eps));
    }

    /** Gradients of training-mode spatial batch norm from the saved mean and inverse std. */
    public void batchNormBackward(TensorDesc xd, long x, long dy, long dx, TensorDesc bn, long scale, long dScale, long dBias,
                                  double eps, long saveMean, long saveInvVar, String context) {
        // Data and parameter gradients both overwritten: (alpha, beta) twice.
        scaled("cudnnBatchNormalizationBackward", context, (alpha, beta) -> (int) Cudnn.BN_BACKWARD.invokeExact(h, Cudnn.BATCHNORM_SPATIAL,
                alpha, beta, alpha, beta, xd.ptr, p(x), xd.ptr, p(dy), xd.ptr, p(dx), bn.ptr, p(scale), p(dScale), p(dBias),
                eps, p(saveMean), p(saveInvVar)));
    }
}
