// Sums over axes (per dev.kiln.spi.ReduceSpec) and row-wise argmax, float32 in, double accumulators.
#pragma once
#include "common.cuh"

// Offset of linear index `lin` of a row-major index space (shape[0..rank)) mapped through strides.
__device__ __forceinline__ int64_t kiln_offset(int64_t lin, int rank, const int64_t* shape, const int64_t* stride) {
    int64_t off = 0;
    for (int d = rank - 1; d > 0; d--) {
        int64_t q = lin / shape[d];
        off += (lin - q * shape[d]) * stride[d];
        lin = q;
    }
    return rank > 0 ? off + lin * stride[0] : off;
}

// One thread per output, walking the reduced elements with an odometer (no divisions). Best when
// the innermost input axis is kept: neighbouring threads then read neighbouring addresses.
// out has outN elements; redN = product of the reduced dims.
extern "C" __global__ void kiln_sum_f32(const float* x, float* out, int64_t outN, int64_t redN, KilnReduce r) {
    KILN_GRID_STRIDE(o, outN) {
        const float* base = x + kiln_offset(o, r.keptRank, r.keptShape, r.keptStride);
        int64_t idx[KILN_MAX_RANK] = {0, 0, 0, 0, 0, 0, 0, 0};
        int64_t off = 0;
        double acc = 0.0;
        for (int64_t k = 0; k < redN; k++) {
            acc += (double)base[off];
            for (int d = r.redRank - 1; d >= 0; d--) {  // advance the odometer
                off += r.redStride[d];
                if (++idx[d] < r.redShape[d]) break;
                off -= idx[d] * r.redStride[d];
                idx[d] = 0;
            }
        }
        out[o] = (float)acc;
    }
}

// One block per output; the block's threads split the reduced elements and combine in shared memory.
// Best when the reduced elements are contiguous (innermost axis reduced) or there are few outputs.
// Requires blockDim.x a multiple of 32 and at most 1024.
extern "C" __global__ void kiln_sum_block_f32(const float* x, float* out, int64_t outN, int64_t redN, KilnReduce r) {
    __shared__ double partial[32];
    int lane = threadIdx.x % KILN_WARP, warp = threadIdx.x / KILN_WARP;
    int warps = blockDim.x / KILN_WARP;
    for (int64_t o = blockIdx.x; o < outN; o += gridDim.x) {
        const float* base = x + kiln_offset(o, r.keptRank, r.keptShape, r.keptStride);
        double acc = 0.0;
        for (int64_t k = threadIdx.x; k < redN; k += blockDim.x) {
            acc += (double)base[kiln_offset(k, r.redRank, r.redShape, r.redStride)];
        }
        acc = kiln_warp_sum_d(acc);
        if (lane == 0) partial[warp] = acc;
        __syncthreads();
        if (warp == 0) {
            double v = lane < warps ? partial[lane] : 0.0;
            v = kiln_warp_sum_d(v);
            if (lane == 0) out[o] = (float)v;
        }
        __syncthreads();  // partial[] is reused by the next output
    }
}

// out[row] = index of the first maximum of x[row, 0..cols) (a NaN wins, as in PyTorch); one warp per row.
extern "C" __global__ void kiln_argmax_f32(const float* x, int32_t* out, int32_t rows, int32_t cols) {
    int lane = threadIdx.x % KILN_WARP;
    KILN_WARP_STRIDE(row, rows) {
        const float* p = x + row * (int64_t)cols;
        float best = 0.f;
        int64_t bi = -1;
        for (int64_t j = lane; j < cols; j += KILN_WARP) {
            float v = p[j];
            if (kiln_argmax_better(v, j, best, bi)) { best = v; bi = j; }
        }
        for (int o = KILN_WARP / 2; o > 0; o >>= 1) {
            float ov = __shfl_xor_sync(KILN_FULL_MASK, best, o);
            int64_t oi = __shfl_xor_sync(KILN_FULL_MASK, bi, o);
            if (oi >= 0 && kiln_argmax_better(ov, oi, best, bi)) { best = ov; bi = oi; }
        }
        if (lane == 0) out[row] = (int32_t)(bi < 0 ? 0 : bi);
    }
}
