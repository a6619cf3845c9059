package dev.kiln.kernels;

import java.util.List;

/**
 * The {@code extern "C"} entry points of {@code kiln.fatbin} ({@code kiln_<op>_<dtype>}), one
 * constant per kernel. Signatures are documented next to each kernel in
 * {@code kernels/src/main/cuda}; {@code KernelNamesInFatbinTest} checks every name is in the fatbin.
 */
public final class KernelNames {
    private KernelNames() {}

    // elementwise.cu
    /** Sets every float element to one value. */
    public static final String FILL_F32 = "kiln_fill_f32";
    /** Sets every int32 element to one value. */
    public static final String FILL_I32 = "kiln_fill_i32";
    /** Elementwise {@code y = f(x)} for a unary op code (ReLU, sigmoid, exp, ...). */
    public static final String UNARY_F32 = "kiln_unary_f32";
    /** Elementwise {@code gx = gy * f'(x)} for a unary op code. */
    public static final String UNARY_BACKWARD_F32 = "kiln_unary_backward_f32";
    /** Elementwise binary op with broadcasting strides. */
    public static final String BINARY_F32 = "kiln_binary_f32";
    /** Elementwise op of a tensor and a scalar ({@code x + s}, {@code s / x}, ...). */
    public static final String SCALAR_F32 = "kiln_scalar_f32";
    // reduce.cu
    /** Sum over the reduced axes, one thread per output element (for a kept innermost axis). */
    public static final String SUM_F32 = "kiln_sum_f32";
    /** Sum over the reduced axes, one block per output element (shared-memory reduction; for contiguous runs or few outputs). */
    public static final String SUM_BLOCK_F32 = "kiln_sum_block_f32";
    /** Index of each row maximum, first on ties. */
    public static final String ARGMAX_F32 = "kiln_argmax_f32";
    // strided_copy.cu
    /** Strided copy of any 4-byte dtype (FLOAT32, INT32), moved as 32-bit words: permute, narrow, select, expand. */
    public static final String STRIDED_COPY_B32 = "kiln_strided_copy_b32";
    // pad.cu
    /** Zero or circular padding of the last two dimensions. */
    public static final String PAD2D_F32 = "kiln_pad2d_f32";
    /** Adjoint of the padding: gradients flow back to their source cells. */
    public static final String PAD2D_BACKWARD_F32 = "kiln_pad2d_backward_f32";
    // pool.cu
    /** Max pooling forward. */
    public static final String MAX_POOL2D_F32 = "kiln_max_pool2d_f32";
    /** Max pooling backward: the gradient goes to the first maximum of each window. */
    public static final String MAX_POOL2D_BACKWARD_F32 = "kiln_max_pool2d_backward_f32";
    /** Average pooling forward. */
    public static final String AVG_POOL2D_F32 = "kiln_avg_pool2d_f32";
    /** Average pooling backward: each gradient spread over its window. */
    public static final String AVG_POOL2D_BACKWARD_F32 = "kiln_avg_pool2d_backward_f32";
    // softmax.cu
    /** Softmax or log-softmax over a contiguous last axis (inner size 1). */
    public static final String SOFTMAX_ROWS_F32 = "kiln_softmax_rows_f32";
    /** Softmax or log-softmax over a strided middle axis (inner size above 1). */
    public static final String SOFTMAX_COLS_F32 = "kiln_softmax_cols_f32";
    /** Softmax backward over a contiguous last axis. */
    public static final String SOFTMAX_BACKWARD_ROWS_F32 = "kiln_softmax_backward_rows_f32";
    /** Softmax backward over a strided middle axis. */
    public static final String SOFTMAX_BACKWARD_COLS_F32 = "kiln_softmax_backward_cols_f32";
    // loss.cu
    /** Fused log-softmax and cross-entropy with label smoothing. */
    public static final String CROSS_ENTROPY_F32 = "kiln_cross_entropy_f32";
    /** Gradient of the fused cross-entropy with respect to the logits. */
    public static final String CROSS_ENTROPY_BACKWARD_F32 = "kiln_cross_entropy_backward_f32";
    // random.cu
    /** Dropout mask from the Philox stream (identical to the CPU mask). */
    public static final String DROPOUT_MASK_F32 = "kiln_dropout_mask_f32";
    // optim.cu
    /** One fused Adam/AdamW step over a parameter, its gradient and both moments. */
    public static final String ADAM_F32 = "kiln_adam_f32";
    /** One fused SGD step with optional momentum, dampening, Nesterov and weight decay. */
    public static final String SGD_F32 = "kiln_sgd_f32";

    /** Every kernel name above, in declaration order. */
    public static final List<String> ALL = List.of(
            FILL_F32, FILL_I32, UNARY_F32, UNARY_BACKWARD_F32, BINARY_F32, SCALAR_F32,
            SUM_F32, SUM_BLOCK_F32, ARGMAX_F32,
            STRIDED_COPY_B32,
            PAD2D_F32, PAD2D_BACKWARD_F32,
            MAX_POOL2D_F32, MAX_POOL2D_BACKWARD_F32, AVG_POOL2D_F32, AVG_POOL2D_BACKWARD_F32,
            SOFTMAX_ROWS_F32, SOFTMAX_COLS_F32, SOFTMAX_BACKWARD_ROWS_F32, SOFTMAX_BACKWARD_COLS_F32,
            CROSS_ENTROPY_F32, CROSS_ENTROPY_BACKWARD_F32,
            DROPOUT_MASK_F32,
            ADAM_F32, SGD_F32,
            // indexing (issue 11), declared below
            KernelNames.INDEX_GATHER_ANY, KernelNames.INDEX_SCATTER_ADD_F32, KernelNames.ONE_HOT_I64, KernelNames.INDEX_RANGE_I64);

    // ---- indexing (issue 11) ----
    // index.cu
    /** Gather along one dimension (indexSelect, gather, embedding) for 1-, 4- and 8-byte elements, INT32 or INT64 indices. */
    public static final String INDEX_GATHER_ANY = "kiln_index_gather_any";
    /** Scatter-add along one dimension, a thread per output column walking the entries in order (deterministic, no atomics). */
    public static final String INDEX_SCATTER_ADD_F32 = "kiln_index_scatter_add_f32";
    /** One-hot encoding of INT32 or INT64 class values into INT64. */
    public static final String ONE_HOT_I64 = "kiln_one_hot_i64";
    /** Minimum and maximum of an index, by one block. */
    public static final String INDEX_RANGE_I64 = "kiln_index_range_i64";
}
