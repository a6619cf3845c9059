package dev.kiln.cuda.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.invoke.MethodHandle;

/**
 * Raw downcall handles into {@code libcudnn.so.9}: the legacy (imperative) API, which cuDNN 9's
 * shim library still exports (sub-libraries {@code cudnn_ops} and {@code cudnn_cnn}). Every
 * function but the two string/version queries returns a {@code cudnnStatus_t}; {@link Dnn}
 * calls these with {@code invokeExact} and checks the status. Handles and descriptors are
 * pointers, {@code size_t} is a {@code long}, scaling factors are host pointers to floats.
 */
final class Cudnn {
    private Cudnn() {}

    private static final Downcalls D = new Downcalls(NativeLibraries.Library.CUDNN);

    // ---- enum values (cudnn_graph.h / cudnn_ops.h / cudnn_cnn.h of cuDNN 9) ----
    static final int DATA_FLOAT = 0;
    static final int TENSOR_NCHW = 0;
    static final int CROSS_CORRELATION = 1;
    static final int DEFAULT_MATH = 0, TENSOR_OP_MATH = 1, TENSOR_OP_MATH_ALLOW_CONVERSION = 2, FMA_MATH = 3;
    static final int NON_DETERMINISTIC = 0, DETERMINISTIC = 1;
    static final int POOLING_MAX = 0, POOLING_AVERAGE_COUNT_INCLUDE_PADDING = 1, POOLING_AVERAGE_COUNT_EXCLUDE_PADDING = 2,
            POOLING_MAX_DETERMINISTIC = 3;
    static final int NOT_PROPAGATE_NAN = 0, PROPAGATE_NAN = 1;
    static final int SOFTMAX_FAST = 0, SOFTMAX_ACCURATE = 1, SOFTMAX_LOG = 2;
    static final int SOFTMAX_MODE_INSTANCE = 0, SOFTMAX_MODE_CHANNEL = 1;
    static final int BATCHNORM_SPATIAL = 1;

    static final MethodHandle GET_VERSION = D.handle("cudnnGetVersion", JAVA_LONG);
    static final MethodHandle GET_ERROR_STRING = D.handle("cudnnGetErrorString", ADDRESS, JAVA_INT);
    static final MethodHandle CREATE = D.handle("cudnnCreate", JAVA_INT, ADDRESS);
    static final MethodHandle DESTROY = D.handle("cudnnDestroy", JAVA_INT, ADDRESS);
    static final MethodHandle SET_STREAM = D.handle("cudnnSetStream", JAVA_INT, ADDRESS, ADDRESS);

    static final MethodHandle CREATE_TENSOR = D.handle("cudnnCreateTensorDescriptor", JAVA_INT, ADDRESS);
    static final MethodHandle SET_TENSOR_4D = D.handle("cudnnSetTensor4dDescriptor", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    static final MethodHandle DESTROY_TENSOR = D.handle("cudnnDestroyTensorDescriptor", JAVA_INT, ADDRESS);
    static final MethodHandle CREATE_FILTER = D.handle("cudnnCreateFilterDescriptor", JAVA_INT, ADDRESS);
    static final MethodHandle SET_FILTER_4D = D.handle("cudnnSetFilter4dDescriptor", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    static final MethodHandle DESTROY_FILTER = D.handle("cudnnDestroyFilterDescriptor", JAVA_INT, ADDRESS);
    static final MethodHandle CREATE_CONV = D.handle("cudnnCreateConvolutionDescriptor", JAVA_INT, ADDRESS);
    static final MethodHandle SET_CONV_2D = D.handle("cudnnSetConvolution2dDescriptor", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    static final MethodHandle SET_CONV_GROUP_COUNT = D.handle("cudnnSetConvolutionGroupCount", JAVA_INT, ADDRESS, JAVA_INT);
    static final MethodHandle SET_CONV_MATH_TYPE = D.handle("cudnnSetConvolutionMathType", JAVA_INT, ADDRESS, JAVA_INT);
    static final MethodHandle DESTROY_CONV = D.handle("cudnnDestroyConvolutionDescriptor", JAVA_INT, ADDRESS);
    static final MethodHandle CREATE_POOLING = D.handle("cudnnCreatePoolingDescriptor", JAVA_INT, ADDRESS);
    static final MethodHandle SET_POOLING_2D = D.handle("cudnnSetPooling2dDescriptor", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    static final MethodHandle DESTROY_POOLING = D.handle("cudnnDestroyPoolingDescriptor", JAVA_INT, ADDRESS);
    static final MethodHandle DERIVE_BN_DESCRIPTOR = D.handle("cudnnDeriveBNTensorDescriptor", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);

    // (handle, xDesc|wDesc, wDesc|dyDesc, convDesc, yDesc|dxDesc|dwDesc, requested, int* returned, perf*)
    static final MethodHandle GET_FWD_ALGO_V7 = D.handle("cudnnGetConvolutionForwardAlgorithm_v7", JAVA_INT, ADDRESS, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle GET_BWD_DATA_ALGO_V7 = D.handle("cudnnGetConvolutionBackwardDataAlgorithm_v7", JAVA_INT, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle GET_BWD_FILTER_ALGO_V7 = D.handle("cudnnGetConvolutionBackwardFilterAlgorithm_v7", JAVA_INT,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    // cudnnFind*: same parameters as the _v7 queries; runs every algorithm once on scratch data and ranks by time.
    static final MethodHandle FIND_FWD_ALGO = D.handle("cudnnFindConvolutionForwardAlgorithm", JAVA_INT, ADDRESS, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle FIND_BWD_DATA_ALGO = D.handle("cudnnFindConvolutionBackwardDataAlgorithm", JAVA_INT, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle FIND_BWD_FILTER_ALGO = D.handle("cudnnFindConvolutionBackwardFilterAlgorithm", JAVA_INT, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    // (handle, desc, desc, convDesc, desc, algo, size_t*)
    static final MethodHandle GET_FWD_WORKSPACE = D.handle("cudnnGetConvolutionForwardWorkspaceSize", JAVA_INT, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
    static final MethodHandle GET_BWD_DATA_WORKSPACE = D.handle("cudnnGetConvolutionBackwardDataWorkspaceSize", JAVA_INT,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
    static final MethodHandle GET_BWD_FILTER_WORKSPACE = D.handle("cudnnGetConvolutionBackwardFilterWorkspaceSize", JAVA_INT,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
    // (handle, alpha, desc, ptr, desc, ptr, convDesc, algo, workspace, workspaceBytes, beta, desc, ptr)
    static final MethodHandle CONV_FORWARD = D.handle("cudnnConvolutionForward", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle CONV_BACKWARD_DATA = D.handle("cudnnConvolutionBackwardData", JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle CONV_BACKWARD_FILTER = D.handle("cudnnConvolutionBackwardFilter", JAVA_INT, ADDRESS, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS);
    // (handle, alpha, dyDesc, dy, beta, dbDesc, db)
    static final MethodHandle CONV_BACKWARD_BIAS = D.handle("cudnnConvolutionBackwardBias", JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    // (handle, alpha, aDesc, A, beta, cDesc, C)
    static final MethodHandle ADD_TENSOR = D.handle("cudnnAddTensor", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
            ADDRESS, ADDRESS);
    // (handle, poolDesc, alpha, xDesc, x, beta, yDesc, y)
    static final MethodHandle POOLING_FORWARD = D.handle("cudnnPoolingForward", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    // (handle, poolDesc, alpha, yDesc, y, dyDesc, dy, xDesc, x, beta, dxDesc, dx)
    static final MethodHandle POOLING_BACKWARD = D.handle("cudnnPoolingBackward", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    // (handle, algo, mode, alpha, xDesc, x, beta, yDesc, y)
    static final MethodHandle SOFTMAX_FORWARD = D.handle("cudnnSoftmaxForward", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    // (handle, algo, mode, alpha, yDesc, y, dyDesc, dy, beta, dxDesc, dx)
    static final MethodHandle SOFTMAX_BACKWARD = D.handle("cudnnSoftmaxBackward", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    // (handle, mode, alpha, beta, xDesc, x, yDesc, y, bnDesc, scale, bias, factor, runMean, runVar, eps, saveMean, saveInvVar)
    static final MethodHandle BN_FORWARD_TRAINING = D.handle("cudnnBatchNormalizationForwardTraining", JAVA_INT, ADDRESS,
            JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_DOUBLE, ADDRESS,
            ADDRESS, JAVA_DOUBLE, ADDRESS, ADDRESS);
    // (handle, mode, alpha, beta, xDesc, x, yDesc, y, bnDesc, scale, bias, estMean, estVar, eps)
    static final MethodHandle BN_FORWARD_INFERENCE = D.handle("cudnnBatchNormalizationForwardInference", JAVA_INT, ADDRESS,
            JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
            JAVA_DOUBLE);
    // (handle, mode, aData, bData, aParam, bParam, xDesc, x, dyDesc, dy, dxDesc, dx, bnDesc, scale, dScale, dBias, eps,
    //  savedMean, savedInvVar)
    static final MethodHandle BN_BACKWARD = D.handle("cudnnBatchNormalizationBackward", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
            ADDRESS, JAVA_DOUBLE, ADDRESS, ADDRESS);
}
