// Layer norm and RMS norm over the rows of a contiguous [rows, cols] view (dev.kiln.spi.LayerNormSpec):
// forward and input gradient with one warp per row, parameter gradients with one block per tile of
// 32 columns. Every sum runs in a fixed order (lane-strided, then a fixed shuffle tree; blocks sum
// their row lanes in order), so results do not depend on the grid size. weight, bias, gw, gb may be null.
#pragma once
#include "common.cuh"

// Row r: mean (0 when rms), invStd = rsqrt(mean((x - mean)^2) + eps), y = (x - mean) * invStd * w + b.
extern "C" __global__ void kiln_layer_norm_f32(const float* x, const float* w, const float* b, float* y, float* mean,
                                               float* invStd, int64_t rows, int32_t cols, float eps, int32_t rms) {
    int lane = threadIdx.x % KILN_WARP;
    KILN_WARP_STRIDE(row, rows) {
        const float* xp = x + row * cols;
        float* yp = y + row * cols;
        float m = 0.f;
        if (!rms) {
            float s = 0.f;
            for (int j = lane; j < cols; j += KILN_WARP) s += xp[j];
            m = kiln_warp_sum(s) / cols;
        }
        float q = 0.f;
        for (int j = lane; j < cols; j += KILN_WARP) {
            float d = xp[j] - m;
            q += d * d;
        }
        float inv = rsqrtf(kiln_warp_sum(q) / cols + eps);
        for (int j = lane; j < cols; j += KILN_WARP) {
            float v = (xp[j] - m) * inv;
            if (w) v *= w[j];
            if (b) v += b[j];
            yp[j] = v;
        }
        if (lane == 0) {
            mean[row] = m;
            invStd[row] = inv;
        }
    }
}

// Row r: g = gy * w, xhat = (x - mean) * invStd, gx = invStd * (g - mean(g) - xhat * mean(g * xhat));
// RMS norm drops the mean(g) term.
extern "C" __global__ void kiln_layer_norm_backward_f32(const float* x, const float* w, const float* gy, const float* mean,
                                                        const float* invStd, float* gx, int64_t rows, int32_t cols,
                                                        int32_t rms) {
    int lane = threadIdx.x % KILN_WARP;
    KILN_WARP_STRIDE(row, rows) {
        const float* xp = x + row * cols;
        const float* gp = gy + row * cols;
        float* op = gx + row * cols;
        float m = mean[row], inv = invStd[row];
        float sg = 0.f, sgx = 0.f;
        for (int j = lane; j < cols; j += KILN_WARP) {
            float g = w ? gp[j] * w[j] : gp[j];
            sg += g;
            sgx += g * (xp[j] - m) * inv;
        }
        float meanG = rms ? 0.f : kiln_warp_sum(sg) / cols;
        float meanGX = kiln_warp_sum(sgx) / cols;
        for (int j = lane; j < cols; j += KILN_WARP) {
            float g = w ? gp[j] * w[j] : gp[j];
            op[j] = inv * (g - meanG - (xp[j] - m) * inv * meanGX);
        }
    }
}

#define KILN_LN_ROW_LANES 8  // blockDim.x == KILN_WARP * KILN_LN_ROW_LANES (256), set by KernelOps

// Column sums over rows: gw[j] = sum of gy * (x - mean) * invStd, gb[j] = sum of gy. A block takes a
// tile of 32 columns (grid-stride over tiles); thread (lane, k) sums rows k, k + 8, ... of column
// tile + lane in order, then thread k == 0 adds the 8 partials in order. Zeros when rows == 0.
extern "C" __global__ void kiln_layer_norm_param_grad_f32(const float* x, const float* gy, const float* mean,
                                                          const float* invStd, float* gw, float* gb, int64_t rows,
                                                          int32_t cols) {
    __shared__ float partW[KILN_LN_ROW_LANES][KILN_WARP];
    __shared__ float partB[KILN_LN_ROW_LANES][KILN_WARP];
    int lane = threadIdx.x % KILN_WARP;
    int k = threadIdx.x / KILN_WARP;
    int64_t tiles = ((int64_t)cols + KILN_WARP - 1) / KILN_WARP;
    for (int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
        int64_t j = tile * KILN_WARP + lane;
        float sw = 0.f, sb = 0.f;
        if (j < cols) {
            for (int64_t r = k; r < rows; r += KILN_LN_ROW_LANES) {
                float g = gy[r * cols + j];
                sw += g * (x[r * cols + j] - mean[r]) * invStd[r];
                sb += g;
            }
        }
        partW[k][lane] = sw;
        partB[k][lane] = sb;
        __syncthreads();
        if (k == 0 && j < cols) {
            float tw = 0.f, tb = 0.f;
            for (int i = 0; i < KILN_LN_ROW_LANES; i++) {
                tw += partW[i][lane];
                tb += partB[i][lane];
            }
            if (gw) gw[j] = tw;
            if (gb) gb[j] = tb;
        }
        __syncthreads();
    }
}
