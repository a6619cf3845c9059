package dev.kiln.kernels;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
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
    // ---- layer_norm.cu (issue 11) ----
    /** Layer norm or RMS norm of each row, saving its mean and inverse std (a warp per row). */
    public static final String LAYER_NORM_F32 = "kiln_layer_norm_f32";
    /** Input gradient of layer norm or RMS norm (a warp per row). */
    public static final String LAYER_NORM_BACKWARD_F32 = "kiln_layer_norm_backward_f32";
    /** Weight and bias gradients of layer norm or RMS norm: column sums over rows in a fixed order. */
    public static final String LAYER_NORM_PARAM_GRAD_F32 = "kiln_layer_norm_param_grad_f32";


    // ---- attention (issue 11) ----
    // attention.cu
    /** Fused attention forward: output and per-row log-sum-exp, online softmax over key tiles. */
    public static final String ATTENTION_FORWARD_F32 = "kiln_attention_forward_f32";
    /** Fused attention backward, query gradients: one block per query tile over every key tile. */
    public static final String ATTENTION_BACKWARD_DQ_F32 = "kiln_attention_backward_dq_f32";
    /** Fused attention backward, key and value gradients: one block per key tile over every query tile. */
    public static final String ATTENTION_BACKWARD_DKDV_F32 = "kiln_attention_backward_dkdv_f32";

    // ---- select.cu: value and index reductions (issue 11) ----
    /** Max or min with its int64 index along the middle axis of [outer, dim, inner], a thread per line. */
    public static final String ARG_REDUCE_F32 = "kiln_arg_reduce_f32";
    /** Max or min with its int64 index along contiguous rows (inner 1), a warp per row. */
    public static final String ARG_REDUCE_ROWS_F32 = "kiln_arg_reduce_rows_f32";
    /** The k largest or smallest values and int64 indices of each line, a thread per line. */
    public static final String TOPK_F32 = "kiln_topk_f32";
    /** topk's backward: each selected gradient written to its index of a zeroed input gradient. */
    public static final String TOPK_BACKWARD_F32 = "kiln_topk_backward_f32";
    // ---- masks and dtypes (issue 11) ----
    // strided_copy.cu
    /** Strided copy of 1-byte elements (BOOL). */
    public static final String STRIDED_COPY_B8 = "kiln_strided_copy_b8";
    /** Strided copy of 8-byte elements (INT64). */
    public static final String STRIDED_COPY_B64 = "kiln_strided_copy_b64";
    // masks.cu
    /** Conversion between any two dtypes (codes are DType ordinals). */
    public static final String CAST_ANY = "kiln_cast_any";
    /** Broadcasting comparison of float32 operands into a BOOL mask. */
    public static final String COMPARE_F32 = "kiln_compare_f32";
    /** Broadcasting comparison of int32 operands into a BOOL mask. */
    public static final String COMPARE_I32 = "kiln_compare_i32";
    /** Broadcasting comparison of int64 operands into a BOOL mask. */
    public static final String COMPARE_I64 = "kiln_compare_i64";
    /** Broadcasting comparison of BOOL operands into a BOOL mask. */
    public static final String COMPARE_B8 = "kiln_compare_b8";
    /** Broadcasting select {@code cond ? a : b} of 1-byte elements. */
    public static final String WHERE_B8 = "kiln_where_b8";
    /** Broadcasting select {@code cond ? a : b} of 4-byte elements. */
    public static final String WHERE_B32 = "kiln_where_b32";
    /** Broadcasting select {@code cond ? a : b} of 8-byte elements. */
    public static final String WHERE_B64 = "kiln_where_b64";
    /** tril/triu of 1-byte elements. */
    public static final String TRIANGLE_B8 = "kiln_triangle_b8";
    /** tril/triu of 4-byte elements. */
    public static final String TRIANGLE_B32 = "kiln_triangle_b32";
    /** tril/triu of 8-byte elements. */
    public static final String TRIANGLE_B64 = "kiln_triangle_b64";

    // ---- recurrent cells (issue 11) ----
    // rnn.cu
    /** Fused LSTM cell: gates, new cell and hidden state. */
    public static final String LSTM_CELL_F32 = "kiln_lstm_cell_f32";
    /** Backward of the fused LSTM cell. */
    public static final String LSTM_CELL_BACKWARD_F32 = "kiln_lstm_cell_backward_f32";
    /** Fused GRU cell: gates and new hidden state. */
    public static final String GRU_CELL_F32 = "kiln_gru_cell_f32";
    /** Backward of the fused GRU cell. */
    public static final String GRU_CELL_BACKWARD_F32 = "kiln_gru_cell_backward_f32";

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

    /**
     * Every kernel name of this class (in no particular order): read from the constants themselves
     * so that a kernel added in one place cannot be left out of the checks that use this list.
     */
    public static final List<String> ALL = Arrays.stream(KernelNames.class.getDeclaredFields())
            .filter(f -> f.getType() == String.class && Modifier.isStatic(f.getModifiers()) && Modifier.isPublic(f.getModifiers()))
            .map(KernelNames::value)
            .toList();

    private static String value(Field f) {
        try {
            return (String) f.get(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(f.getName(), e);
        }
    }
}
