// Value and index selections along the middle axis of a contiguous [outer, dim, inner] view
// (dev.kiln.spi.ArgReduceSpec, TopkSpec): max/min with their index, topk, and topk's backward.
// Indices are int64 (PyTorch's index type).
#pragma once
#include "common.cuh"

// True when candidate (v, i) should replace the best (bv, bi) of a max (or min) that keeps the
// first index among equal values and lets the first NaN win, for the min too (PyTorch's max/min
// along a dim). bi < 0 means "no best yet".
__device__ __forceinline__ bool kiln_select_better(float v, int64_t i, float bv, int64_t bi, int32_t max) {
    if (bi < 0) return true;
    bool vn = v != v, bn = bv != bv;
    if (vn || bn) return vn && (!bn || i < bi);
    return (max ? v > bv : v < bv) || (v == bv && i < bi);
}

// One thread per line (o, i): neighbouring threads read neighbouring inner positions (coalesced).
// values may be null (argmax/argmin only).
extern "C" __global__ void kiln_arg_reduce_f32(const float* x, float* values, int64_t* indices, int64_t outer, int64_t dim,
                                               int64_t inner, int32_t max) {
    KILN_GRID_STRIDE(line, outer * inner) {
        int64_t o = line / inner, i = line - o * inner;
        const float* p = x + o * dim * inner + i;
        float best = p[0];
        int64_t bi = 0;
        for (int64_t j = 1; j < dim && best == best; j++) {  // stops at the first NaN: it wins
            float v = p[j * inner];
            if (max ? (v > best || v != v) : (v < best || v != v)) { best = v; bi = j; }
        }
        if (values) values[line] = best;
        indices[line] = bi;
    }
}

// The same for inner == 1 (rows contiguous): one warp per row, combined by shuffles.
extern "C" __global__ void kiln_arg_reduce_rows_f32(const float* x, float* values, int64_t* indices, int64_t rows, int64_t dim,
                                                    int32_t max) {
    int lane = threadIdx.x % KILN_WARP;
    KILN_WARP_STRIDE(row, rows) {
        const float* p = x + row * dim;
        float best = 0.f;
        int64_t bi = -1;
        for (int64_t j = lane; j < dim; j += KILN_WARP) {
            float v = p[j];
            if (kiln_select_better(v, j, best, bi, max)) { best = v; bi = j; }
        }
        for (int o = KILN_WARP / 2; o > 0; o >>= 1) {
            float ov = __shfl_xor_sync(KILN_FULL_MASK, best, o);
            int64_t oi = __shfl_xor_sync(KILN_FULL_MASK, bi, o);
            if (oi >= 0 && kiln_select_better(ov, oi, best, bi, max)) { best = ov; bi = oi; }
        }
        if (lane == 0) {
            if (values) values[row] = best;
            indices[row] = bi;
        }
    }
}

// True when (v, i) comes before (w, j) in topk's order: by value (descending when largest), a NaN
// above every number, -0.0 equal to 0.0, then by ascending index.
__device__ __forceinline__ bool kiln_topk_before(float v, int64_t i, float w, int64_t j, int32_t largest) {
    bool vn = v != v, wn = w != w;
    if (vn || wn) return (vn && wn) ? i < j : (largest ? vn : wn);
    if (v == w) return i < j;
    return largest ? v > w : v < w;
}

// One thread per line; pass s picks the first element after pick s-1 in topk's order (O(k * dim),
// meant for small k). Outputs [outer, k, inner], sorted.
extern "C" __global__ void kiln_topk_f32(const float* x, float* values, int64_t* indices, int64_t outer, int64_t dim,
                                         int64_t inner, int64_t k, int32_t largest) {
    KILN_GRID_STRIDE(line, outer * inner) {
        int64_t o = line / inner, i = line - o * inner;
        const float* p = x + o * dim * inner + i;
        int64_t out = o * k * inner + i;
        float pv = 0.f;
        int64_t pi = -1;
        for (int64_t s = 0; s < k; s++) {
            float bv = 0.f;
            int64_t bi = -1;
            for (int64_t j = 0; j < dim; j++) {
                float v = p[j * inner];
                if (pi >= 0 && !kiln_topk_before(pv, pi, v, j, largest)) continue;  // taken by an earlier pass
                if (bi < 0 || kiln_topk_before(v, j, bv, bi, largest)) { bv = v; bi = j; }
            }
            values[out + s * inner] = bv;
            indices[out + s * inner] = bi;
            pv = bv;
            pi = bi;
        }
    }
}

// gx[o, indices[o, s, i], i] = gy[o, s, i] on a zeroed gx (the indices of a line are distinct).
extern "C" __global__ void kiln_topk_backward_f32(const float* gy, const int64_t* indices, float* gx, int64_t outer, int64_t dim,
                                                  int64_t inner, int64_t k) {
    KILN_GRID_STRIDE(t, outer * k * inner) {
        int64_t o = t / (k * inner), i = t % inner;
        gx[(o * dim + indices[t]) * inner + i] = gy[t];
    }
}
