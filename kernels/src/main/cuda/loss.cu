// Cross-entropy fused with log-softmax and label smoothing (dev.kiln.spi.CrossEntropySpec).
#pragma once
#include "common.cuh"

// For each row i of logits [n, classes] (one warp per row):
//   logProbs[i, j] = logits[i, j] - logsumexp(logits[i, :])
//   losses[i] = -(1 - s) * logProbs[i, t] - (s / classes) * sum_j logProbs[i, j],  t = targets[i].
// A target outside [0, classes) makes losses[i] NaN and sets *errorFlag to 1 + (a bad row index) if
// it was 0 (atomicCAS: the flag keeps the first writer; the caller zeroes it and reads it later).
extern "C" __global__ void kiln_cross_entropy_f32(const float* logits, const int32_t* targets, float* losses,
                                                  float* logProbs, int32_t* errorFlag, int32_t n, int32_t classes,
                                                  float smoothing) {
    int lane = threadIdx.x % KILN_WARP;
    KILN_WARP_STRIDE(row, n) {
        const float* xp = logits + row * (int64_t)classes;
        float* lp = logProbs + row * (int64_t)classes;
        float mx = -INFINITY;
        for (int j = lane; j < classes; j += KILN_WARP) mx = kiln_max_nan(mx, xp[j]);
        mx = kiln_warp_max_nan(mx);
        float s = 0.f;
        for (int j = lane; j < classes; j += KILN_WARP) s += expf(xp[j] - mx);
        float lse = mx + logf(kiln_warp_sum(s));
        float lpSum = 0.f;
        for (int j = lane; j < classes; j += KILN_WARP) {
            float v = xp[j] - lse;
            lp[j] = v;
            lpSum += v;
        }
        lpSum = kiln_warp_sum(lpSum);
        if (lane == 0) {
            int32_t t = targets[row];
            float loss;
            if (t < 0 || t >= classes) {
                loss = __int_as_float(0x7fc00000);
                atomicCAS(errorFlag, 0, (int32_t)row + 1);
            } else {
                loss = -(1.f - smoothing) * (xp[t] - lse);
                // Skipped when s == 0 so a -inf log-probability elsewhere cannot turn 0 * -inf into NaN.
                if (smoothing > 0.f) loss -= smoothing / (float)classes * lpSum;
            }
            losses[row] = loss;
        }
    }
}

// gradLogits[i, j] = gradLoss[i] * (exp(logProbs[i, j]) - q[i, j]), q = (1 - s) * [j == t_i] + s / classes.
// Rows with an out-of-range target get NaN (the forward pass already flagged them).
extern "C" __global__ void kiln_cross_entropy_backward_f32(const float* logProbs, const int32_t* targets,
                                                           const float* gradLoss, float* gradLogits, int32_t n,
                                                           int32_t classes, float smoothing) {
    KILN_GRID_STRIDE(i, (int64_t)n * classes) {
        int64_t row = i / classes;
        int32_t j = (int32_t)(i - row * classes);
        int32_t t = targets[row];
        float g;
        if (t < 0 || t >= classes) {
            g = __int_as_float(0x7fc00000);
        } else {
            float q = smoothing / (float)classes + (j == t ? 1.f - smoothing : 0.f);
            g = gradLoss[row] * (expf(logProbs[i]) - q);
        }
        gradLogits[i] = g;
    }
}
