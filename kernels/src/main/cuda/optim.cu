// Multi-tensor fused optimiser steps (dev.kiln.spi.AdamSpec, SgdSpec): one launch updates every
// tensor. The host uploads a tensor table and a chunk table; each block takes chunks
// (grid-stride), each chunk is [start, min(start + chunkSize, size)) of one tensor.
//   Adam tensor table: per tensor 5 x uint64 {param, grad, m, v, numel}.
//   SGD tensor table:  per tensor 4 x uint64 {param, grad, momentumBuffer (0 = none), numel}.
//   Chunk table:       per chunk 2 x int64 {tensor index, start element}.
#pragma once
#include "common.cuh"

// PyTorch's Adam/AdamW; bc1 = 1 - beta1^step, bc2 = 1 - beta2^step (computed by the host in double).
//   decoupled: p *= 1 - lr*wd, else g += wd*p;  m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;
//   p -= lr * (m/bc1) / (sqrt(v/bc2) + eps).  Gradients are read, never written.
extern "C" __global__ void kiln_adam_f32(const uint64_t* tensors, const int64_t* chunks, int64_t numChunks,
                                         int32_t chunkSize, float lr, float beta1, float beta2, float eps,
                                         float weightDecay, int32_t decoupled, float bc1, float bc2) {
    for (int64_t c = blockIdx.x; c < numChunks; c += gridDim.x) {
        const uint64_t* t = tensors + chunks[2 * c] * 5;
        float* p = (float*)t[0];
        const float* g = (const float*)t[1];
        float* m = (float*)t[2];
        float* v = (float*)t[3];
        int64_t start = chunks[2 * c + 1];
        int64_t end = min(start + (int64_t)chunkSize, (int64_t)t[4]);
        for (int64_t i = start + threadIdx.x; i < end; i += blockDim.x) {
            float pv = p[i], gv = g[i];
            if (decoupled) pv *= 1.f - lr * weightDecay;
            else gv += weightDecay * pv;
            float mv = beta1 * m[i] + (1.f - beta1) * gv;
            float vv = beta2 * v[i] + (1.f - beta2) * gv * gv;
            pv -= lr * (mv / bc1) / (sqrtf(vv / bc2) + eps);
            m[i] = mv;
            v[i] = vv;
            p[i] = pv;
        }
    }
}

// PyTorch's SGD: g += wd*p; with a momentum buffer, buf = firstStep ? g : momentum*buf + (1-dampening)*g
// and g = nesterov ? g + momentum*buf : buf; p -= lr*g. Gradients are read, never written.
extern "C" __global__ void kiln_sgd_f32(const uint64_t* tensors, const int64_t* chunks, int64_t numChunks,
                                        int32_t chunkSize, float lr, float momentum, float dampening,
                                        float weightDecay, int32_t nesterov, int32_t firstStep) {
    for (int64_t c = blockIdx.x; c < numChunks; c += gridDim.x) {
        const uint64_t* t = tensors + chunks[2 * c] * 4;
        float* p = (float*)t[0];
        const float* g = (const float*)t[1];
        float* buf = (float*)t[2];
        int64_t start = chunks[2 * c + 1];
        int64_t end = min(start + (int64_t)chunkSize, (int64_t)t[3]);
        for (int64_t i = start + threadIdx.x; i < end; i += blockDim.x) {
            float pv = p[i], gv = g[i] + weightDecay * pv;
            if (buf != nullptr) {
                float b = firstStep ? gv : momentum * buf[i] + (1.f - dampening) * gv;
                buf[i] = b;
                gv = nesterov ? gv + momentum * b : b;
            }
            p[i] = pv - lr * gv;
        }
    }
}
