// Cross-entropy fused with log-softmax, label smoothing and an ignored target value
// (dev.kiln.spi.CrossEntropySpec). Logits are [n, classes, inner]: position p = i * inner + k has
// its classes `inner` elements apart (inner = 1 for [n, classes]). Targets are int32 or int64
// (longTargets = 1), read through kiln_ce_target.
#pragma once
#include "common.cuh"

__device__ __forceinline__ int64_t kiln_ce_target(const void* targets, int64_t p, int32_t longTargets) {
    return longTargets ? ((const int64_t*)targets)[p] : (int64_t)((const int32_t*)targets)[p];
}

// For each position p (one warp per position):
//   logProbs[., j, .] = logits[., j, .] - logsumexp over j
//   losses[p] = -(1 - s) * logProbs[p, t] - (s / classes) * sum_j logProbs[p, j],  t = targets[p],
//   or 0 when t == ignoreIndex; counted[p] (if not null) = 0 when ignored, else 1.
// Any other target outside [0, classes) makes losses[p] NaN and sets *errorFlag to 1 + (a bad position)
// if it was 0 (atomicCAS: the flag keeps the first writer; the caller zeroes it and reads it later).
extern "C" __global__ void kiln_cross_entropy_f32(const float* logits, const void* targets, float* losses, float* logProbs,
                                                  float* counted, int32_t* errorFlag, int32_t positions, int32_t classes,
                                                  int32_t inner, float smoothing, int64_t ignoreIndex, int32_t longTargets) {
    int lane = threadIdx.x % KILN_WARP;
    KILN_WARP_STRIDE(p, positions) {
        int64_t base = (p / inner) * (int64_t)classes * inner + p % inner;
        const float* xp = logits + base;
        float* lp = logProbs + base;
        float mx = -INFINITY;
        for (int j = lane; j < classes; j += KILN_WARP) mx = kiln_max_nan(mx, xp[(int64_t)j * inner]);
        mx = kiln_warp_max_nan(mx);
        float s = 0.f;
        for (int j = lane; j < classes; j += KILN_WARP) s += expf(xp[(int64_t)j * inner] - mx);
        float lse = mx + logf(kiln_warp_sum(s));
        float lpSum = 0.f;
        for (int j = lane; j < classes; j += KILN_WARP) {
            float v = xp[(int64_t)j * inner] - lse;
            lp[(int64_t)j * inner] = v;
            lpSum += v;
        }
        lpSum = kiln_warp_sum(lpSum);
        if (lane == 0) {
            int64_t t = kiln_ce_target(targets, p, longTargets);
            bool ignored = t == ignoreIndex;
            float loss;
            if (ignored) {
                loss = 0.f;
            } else if (t < 0 || t >= classes) {
                loss = __int_as_float(0x7fc00000);
                atomicCAS(errorFlag, 0, (int32_t)p + 1);
            } else {
                loss = -(1.f - smoothing) * (xp[t * inner] - lse);
                // Skipped when s == 0 so a -inf log-probability elsewhere cannot turn 0 * -inf into NaN.
                if (smoothing > 0.f) loss -= smoothing / (float)classes * lpSum;
            }
            losses[p] = loss;
            if (counted) counted[p] = ignored ? 0.f : 1.f;
        }
    }
}

// gradLogits[i, j, k] = gradLoss[p] * (exp(logProbs[i, j, k]) - q[p, j]), q = (1 - s) * [j == t_p] + s / classes,
// p = i * inner + k; 0 where t_p == ignoreIndex. Positions with an out-of-range target get NaN (the forward pass
// already flagged them).
extern "C" __global__ void kiln_cross_entropy_backward_f32(const float* logProbs, const void* targets, const float* gradLoss,
                                                           float* gradLogits, int32_t positions, int32_t classes, int32_t inner,
                                                           float smoothing, int64_t ignoreIndex, int32_t longTargets) {
    KILN_GRID_STRIDE(e, (int64_t)positions * classes) {
        int64_t plane = (int64_t)classes * inner;
        int64_t i = e / plane;
        int64_t rest = e - i * plane;
        int32_t j = (int32_t)(rest / inner);
        int64_t p = i * inner + (rest - (int64_t)j * inner);
        int64_t t = kiln_ce_target(targets, p, longTargets);
        float g;
        if (t == ignoreIndex) {
            g = 0.f;
        } else if (t < 0 || t >= classes) {
            g = __int_as_float(0x7fc00000);
        } else {
            float q = smoothing / (float)classes + (j == t ? 1.f - smoothing : 0.f);
            g = gradLoss[p] * (expf(logProbs[e]) - q);
        }
        gradLogits[e] = g;
    }
}
