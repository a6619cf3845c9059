// Fill, unary (forward and backward), broadcasting binary and scalar ops over float32.
// Op codes are the ordinals of dev.kiln.spi.UnaryOp, BinaryOp and ScalarOp.
#pragma once
#include "common.cuh"

enum KilnUnary { U_RELU, U_LEAKY_RELU, U_SIGMOID, U_TANH, U_GELU, U_EXP, U_LOG, U_NEG, U_SQRT, U_ABS, U_SIN, U_COS, U_RSQRT,
                 U_SILU, U_GELU_TANH, U_CLAMP_MIN, U_CLAMP_MAX };
enum KilnBinary { B_ADD, B_SUB, B_MUL, B_DIV };
enum KilnScalar { S_ADD, S_MUL, S_POW, S_RSUB, S_RDIV };

#define KILN_INV_SQRT2 0.70710678118654752440f
#define KILN_INV_SQRT_2PI 0.39894228040143267794f
#define KILN_SQRT_2_OVER_PI 0.79788456080286535588f
#define KILN_GELU_KAPPA 0.044715f

extern "C" __global__ void kiln_fill_f32(float* p, int64_t n, float value) {
    KILN_GRID_STRIDE(i, n) p[i] = value;
}

extern "C" __global__ void kiln_fill_i32(int32_t* p, int64_t n, int32_t value) {
    KILN_GRID_STRIDE(i, n) p[i] = value;
}

__device__ __forceinline__ float kiln_unary(int op, float alpha, float v) {
    switch (op) {
        case U_RELU: return v > 0.f ? v : 0.f;
        case U_LEAKY_RELU: return v > 0.f ? v : v * alpha;
        case U_SIGMOID: return 1.f / (1.f + expf(-v));
        case U_TANH: return tanhf(v);
        case U_GELU: return v * 0.5f * (1.f + erff(v * KILN_INV_SQRT2));
        case U_EXP: return expf(v);
        case U_LOG: return logf(v);
        case U_NEG: return -v;
        case U_SQRT: return sqrtf(v);
        case U_ABS: return fabsf(v);
        case U_SIN: return sinf(v);
        case U_COS: return cosf(v);
        case U_RSQRT: return rsqrtf(v);
        case U_SILU: return v / (1.f + expf(-v));
        case U_GELU_TANH: return 0.5f * v * (1.f + tanhf(KILN_SQRT_2_OVER_PI * (v + KILN_GELU_KAPPA * v * v * v)));
        // Comparisons, not fmaxf/fminf, so NaN passes through as in torch.clamp.
        case U_CLAMP_MIN: return v < alpha ? alpha : v;
        case U_CLAMP_MAX: return v > alpha ? alpha : v;
        default: return __int_as_float(0x7fc00000);  // unknown op: NaN rather than silence
    }
}

// gx = gy * f'(x); y = f(x) is used where the derivative is cheaper from it.
__device__ __forceinline__ float kiln_unary_grad(int op, float alpha, float x, float y, float g) {
    switch (op) {
        case U_RELU: return x > 0.f ? g : 0.f;
        case U_LEAKY_RELU: return x > 0.f ? g : g * alpha;
        case U_SIGMOID: return g * y * (1.f - y);
        case U_TANH: return g * (1.f - y * y);
        case U_GELU: {
            float cdf = 0.5f * (1.f + erff(x * KILN_INV_SQRT2));
            float pdf = KILN_INV_SQRT_2PI * expf(-0.5f * x * x);
            return g * (cdf + x * pdf);
        }
        case U_EXP: return g * y;
        case U_LOG: return g / x;
        case U_NEG: return -g;
        case U_SQRT: return g * 0.5f / y;
        case U_ABS: return x > 0.f ? g : (x < 0.f ? -g : 0.f);
        case U_SIN: return g * cosf(x);
        case U_COS: return -g * sinf(x);
        case U_RSQRT: return -0.5f * g * y * y * y;
        case U_SILU: {
            float s = 1.f / (1.f + expf(-x));
            return g * s * (1.f + x * (1.f - s));
        }
        case U_GELU_TANH: {
            float t = tanhf(KILN_SQRT_2_OVER_PI * (x + KILN_GELU_KAPPA * x * x * x));
            float inner = KILN_SQRT_2_OVER_PI * (1.f + 3.f * KILN_GELU_KAPPA * x * x);
            return g * (0.5f * (1.f + t) + 0.5f * x * (1.f - t * t) * inner);
        }
        case U_CLAMP_MIN: return x >= alpha ? g : 0.f;
        case U_CLAMP_MAX: return x <= alpha ? g : 0.f;
        default: return __int_as_float(0x7fc00000);
    }
}

// y[i] = f(x[i]); y may alias x.
extern "C" __global__ void kiln_unary_f32(int32_t op, float alpha, const float* x, float* y, int64_t n) {
    KILN_GRID_STRIDE(i, n) y[i] = kiln_unary(op, alpha, x[i]);
}

// gx[i] = gy[i] * f'(x[i]); y is the forward output (read only by ops that need it; may be null otherwise).
extern "C" __global__ void kiln_unary_backward_f32(int32_t op, float alpha, const float* x, const float* y,
                                                   const float* gy, float* gx, int64_t n) {
    bool needY = op == U_SIGMOID || op == U_TANH || op == U_EXP || op == U_SQRT || op == U_RSQRT;
    bool needX = !needY && op != U_NEG;
    KILN_GRID_STRIDE(i, n) {
        float xv = needX ? x[i] : 0.f, yv = needY ? y[i] : 0.f;
        gx[i] = kiln_unary_grad(op, alpha, xv, yv, gy[i]);
    }
}

__device__ __forceinline__ float kiln_binary(int op, float a, float b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        default: return __int_as_float(0x7fc00000);
    }
}

// out[i] = a[ia] (op) b[ib] with ia, ib from the broadcast map; n = numel(out); out may alias a or b
// when that operand is not broadcast.
extern "C" __global__ void kiln_binary_f32(int32_t op, const float* a, const float* b, float* out, int64_t n,
                                           KilnBroadcast bc) {
    KILN_GRID_STRIDE(i, n) {
        int64_t ia, ib;
        kiln_broadcast_offsets(bc, i, ia, ib);
        out[i] = kiln_binary(op, a[ia], b[ib]);
    }
}

__device__ __forceinline__ float kiln_scalar(int op, float x, float s) {
    switch (op) {
        case S_ADD: return x + s;
        case S_MUL: return x * s;
        case S_POW: return powf(x, s);
        case S_RSUB: return s - x;
        case S_RDIV: return s / x;
        default: return __int_as_float(0x7fc00000);
    }
}

// y[i] = x[i] (op) s; y may alias x.
extern "C" __global__ void kiln_scalar_f32(int32_t op, const float* x, float s, float* y, int64_t n) {
    KILN_GRID_STRIDE(i, n) y[i] = kiln_scalar(op, x[i], s);
}
