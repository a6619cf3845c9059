// Softmax and log-softmax over the middle axis of a contiguous [outer, dim, inner] view
// (dev.kiln.spi.SoftmaxSpec), forward and backward. "rows" kernels serve inner == 1 with one warp
// per row; "cols" kernels serve inner > 1 with one thread per (outer, inner) column, so that
// neighbouring threads read neighbouring addresses. A fallback alongside cuDNN.
#pragma once
#include "common.cuh"

// y = softmax(x) (or log-softmax when log != 0) over each row of x [rows, dim].
extern "C" __global__ void kiln_softmax_rows_f32(const float* x, float* y, int64_t rows, int32_t dim, int32_t log) {
    int lane = threadIdx.x % KILN_WARP;
    KILN_WARP_STRIDE(row, rows) {
        const float* xp = x + row * dim;
        float* yp = y + row * dim;
        float mx = -INFINITY;
        for (int j = lane; j < dim; j += KILN_WARP) mx = kiln_max_nan(mx, xp[j]);
        mx = kiln_warp_max_nan(mx);
        float s = 0.f;
        for (int j = lane; j < dim; j += KILN_WARP) s += expf(xp[j] - mx);
        s = kiln_warp_sum(s);
        if (log) {
            float lse = mx + logf(s);
            for (int j = lane; j < dim; j += KILN_WARP) yp[j] = xp[j] - lse;
        } else {
            float inv = 1.f / s;
            for (int j = lane; j < dim; j += KILN_WARP) yp[j] = expf(xp[j] - mx) * inv;
        }
    }
}

// Same as kiln_softmax_rows_f32 for x [outer, dim, inner] with inner > 1.
extern "C" __global__ void kiln_softmax_cols_f32(const float* x, float* y, int64_t outer, int32_t dim, int64_t inner,
                                                 int32_t log) {
    KILN_GRID_STRIDE(t, outer * inner) {
        int64_t base = (t / inner) * dim * inner + t % inner;
        const float* xp = x + base;
        float* yp = y + base;
        float mx = -INFINITY;
        for (int j = 0; j < dim; j++) mx = kiln_max_nan(mx, xp[j * inner]);
        float s = 0.f;
        for (int j = 0; j < dim; j++) s += expf(xp[j * inner] - mx);
        if (log) {
            float lse = mx + logf(s);
            for (int j = 0; j < dim; j++) yp[j * inner] = xp[j * inner] - lse;
        } else {
            float inv = 1.f / s;
            for (int j = 0; j < dim; j++) yp[j * inner] = expf(xp[j * inner] - mx) * inv;
        }
    }
}

// From the forward output y: softmax gx = y * (gy - sum(gy * y)); log-softmax gx = gy - exp(y) * sum(gy).
extern "C" __global__ void kiln_softmax_backward_rows_f32(const float* y, const float* gy, float* gx, int64_t rows,
                                                          int32_t dim, int32_t log) {
    int lane = threadIdx.x % KILN_WARP;
    KILN_WARP_STRIDE(row, rows) {
        const float* yp = y + row * dim;
        const float* gp = gy + row * dim;
        float* op = gx + row * dim;
        float s = 0.f;
        for (int j = lane; j < dim; j += KILN_WARP) s += log ? gp[j] : gp[j] * yp[j];
        s = kiln_warp_sum(s);
        for (int j = lane; j < dim; j += KILN_WARP) op[j] = log ? gp[j] - expf(yp[j]) * s : yp[j] * (gp[j] - s);
    }
}

extern "C" __global__ void kiln_softmax_backward_cols_f32(const float* y, const float* gy, float* gx, int64_t outer,
                                                          int32_t dim, int64_t inner, int32_t log) {
    KILN_GRID_STRIDE(t, outer * inner) {
        int64_t base = (t / inner) * dim * inner + t % inner;
        const float* yp = y + base;
        const float* gp = gy + base;
        float* op = gx + base;
        float s = 0.f;
        for (int j = 0; j < dim; j++) s += log ? gp[j * inner] : gp[j * inner] * yp[j * inner];
        for (int j = 0; j < dim; j++) {
            float g = gp[j * inner], v = yp[j * inner];
            op[j * inner] = log ? g - expf(v) * s : v * (g - s);
        }
    }
}
