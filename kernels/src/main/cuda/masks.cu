// Dtype conversion, comparisons, where and tril/triu (dev.kiln.spi.Backend cast, compare, where,
// triangle). Op and dtype codes are the ordinals of dev.kiln.spi.CompareOp and dev.kiln.tensor.DType.
// BOOL elements are bytes holding 0 or 1.
#pragma once
#include "common.cuh"

enum KilnCompare { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };
enum KilnDType { D_FLOAT32, D_INT32, D_INT64, D_BOOL };

// Broadcasting index map of where, passed by value: like KilnBroadcast with a third operand.
// Layout (little-endian, 264 bytes, 8-byte aligned): int32 rank @0, int32 pad @4,
// int64 shape[8] @8, int64 cStride[8] @72, int64 aStride[8] @136, int64 bStride[8] @200.
struct KilnWhere {
    int32_t rank;
    int32_t pad;
    int64_t shape[KILN_MAX_RANK];
    int64_t cStride[KILN_MAX_RANK];
    int64_t aStride[KILN_MAX_RANK];
    int64_t bStride[KILN_MAX_RANK];
};

// ---- cast: the conversions of Java's casts (float to integer rounds toward zero and saturates,
// NaN gives 0, as cvt.rzi does; int64 to int32 keeps the low bits; to float rounds to nearest) ----

__device__ __forceinline__ void kiln_conv(float v, float& o) { o = v; }
__device__ __forceinline__ void kiln_conv(int32_t v, float& o) { o = (float)v; }
__device__ __forceinline__ void kiln_conv(int64_t v, float& o) { o = (float)v; }  // one rounding from 64 bits
__device__ __forceinline__ void kiln_conv(uint8_t v, float& o) { o = v != 0 ? 1.f : 0.f; }
__device__ __forceinline__ void kiln_conv(float v, int32_t& o) { o = __float2int_rz(v); }
__device__ __forceinline__ void kiln_conv(int32_t v, int32_t& o) { o = v; }
__device__ __forceinline__ void kiln_conv(int64_t v, int32_t& o) { o = (int32_t)(uint32_t)(uint64_t)v; }
__device__ __forceinline__ void kiln_conv(uint8_t v, int32_t& o) { o = v != 0 ? 1 : 0; }
__device__ __forceinline__ void kiln_conv(float v, int64_t& o) { o = __float2ll_rz(v); }
__device__ __forceinline__ void kiln_conv(int32_t v, int64_t& o) { o = v; }
__device__ __forceinline__ void kiln_conv(int64_t v, int64_t& o) { o = v; }
__device__ __forceinline__ void kiln_conv(uint8_t v, int64_t& o) { o = v != 0 ? 1 : 0; }
__device__ __forceinline__ void kiln_conv(float v, uint8_t& o) { o = v != 0.f ? 1 : 0; }  // NaN != 0: true
__device__ __forceinline__ void kiln_conv(int32_t v, uint8_t& o) { o = v != 0 ? 1 : 0; }
__device__ __forceinline__ void kiln_conv(int64_t v, uint8_t& o) { o = v != 0 ? 1 : 0; }
__device__ __forceinline__ void kiln_conv(uint8_t v, uint8_t& o) { o = v != 0 ? 1 : 0; }

template <typename From, typename To>
__device__ __forceinline__ void kiln_cast_loop(const uint8_t* x, uint8_t* y, int64_t n) {
    const From* in = (const From*)x;
    To* out = (To*)y;
    KILN_GRID_STRIDE(i, n) kiln_conv(in[i], out[i]);
}

#define KILN_CAST_CASE(F, FT, T, TT) \
    case D_##F * 4 + D_##T: kiln_cast_loop<FT, TT>(x, y, n); break;
#define KILN_CAST_FROM(F, FT)                 \
    KILN_CAST_CASE(F, FT, FLOAT32, float)     \
    KILN_CAST_CASE(F, FT, INT32, int32_t)     \
    KILN_CAST_CASE(F, FT, INT64, int64_t)     \
    KILN_CAST_CASE(F, FT, BOOL, uint8_t)

// y[i] = (to) x[i] for n elements; from and to are DType ordinals (uniform over the grid).
extern "C" __global__ void kiln_cast_any(int32_t from, int32_t to, const uint8_t* x, uint8_t* y, int64_t n) {
    switch (from * 4 + to) {
        KILN_CAST_FROM(FLOAT32, float)
        KILN_CAST_FROM(INT32, int32_t)
        KILN_CAST_FROM(INT64, int64_t)
        KILN_CAST_FROM(BOOL, uint8_t)
        default: break;  // unknown code: KernelOps only passes DType ordinals
    }
}

// ---- compare: out[i] = a[ia] (op) b[ib] as 0/1 bytes; IEEE for float (NaN only satisfies NE) ----

template <typename T>
__device__ __forceinline__ bool kiln_compare(int op, T a, T b) {
    switch (op) {
        case C_EQ: return a == b;
        case C_NE: return a != b;
        case C_LT: return a < b;
        case C_LE: return a <= b;
        case C_GT: return a > b;
        case C_GE: return a >= b;
        default: return false;
    }
}

template <typename T>
__device__ __forceinline__ void kiln_compare_map(int32_t op, const T* a, const T* b, uint8_t* out, int64_t n,
                                                 const KilnBroadcast& bc) {
    KILN_GRID_STRIDE(i, n) {
        int64_t ia, ib;
        kiln_broadcast_offsets(bc, i, ia, ib);
        out[i] = kiln_compare(op, a[ia], b[ib]) ? 1 : 0;
    }
}

extern "C" __global__ void kiln_compare_f32(int32_t op, const float* a, const float* b, uint8_t* out, int64_t n,
                                            KilnBroadcast bc) {
    kiln_compare_map(op, a, b, out, n, bc);
}

extern "C" __global__ void kiln_compare_i32(int32_t op, const int32_t* a, const int32_t* b, uint8_t* out, int64_t n,
                                            KilnBroadcast bc) {
    kiln_compare_map(op, a, b, out, n, bc);
}

extern "C" __global__ void kiln_compare_i64(int32_t op, const int64_t* a, const int64_t* b, uint8_t* out, int64_t n,
                                            KilnBroadcast bc) {
    kiln_compare_map(op, a, b, out, n, bc);
}

extern "C" __global__ void kiln_compare_b8(int32_t op, const uint8_t* a, const uint8_t* b, uint8_t* out, int64_t n,
                                           KilnBroadcast bc) {
    kiln_compare_map(op, a, b, out, n, bc);
}

// ---- where: out[i] = cond[ic] ? a[ia] : b[ib], elements moved as words of their width ----

template <typename T>
__device__ __forceinline__ void kiln_where_map(const uint8_t* cond, const T* a, const T* b, T* out, int64_t n,
                                               const KilnWhere& w) {
    KILN_GRID_STRIDE(i, n) {
        int64_t rem = i, ic = 0, ia = 0, ib = 0;
        for (int d = w.rank - 1; d > 0; d--) {
            int64_t s = w.shape[d];
            int64_t q = rem / s;
            int64_t idx = rem - q * s;
            rem = q;
            ic += idx * w.cStride[d];
            ia += idx * w.aStride[d];
            ib += idx * w.bStride[d];
        }
        if (w.rank > 0) {
            ic += rem * w.cStride[0];
            ia += rem * w.aStride[0];
            ib += rem * w.bStride[0];
        }
        out[i] = cond[ic] != 0 ? a[ia] : b[ib];
    }
}

extern "C" __global__ void kiln_where_b8(const uint8_t* cond, const uint8_t* a, const uint8_t* b, uint8_t* out, int64_t n,
                                         KilnWhere map) {
    kiln_where_map(cond, a, b, out, n, map);
}

extern "C" __global__ void kiln_where_b32(const uint8_t* cond, const uint32_t* a, const uint32_t* b, uint32_t* out, int64_t n,
                                          KilnWhere map) {
    kiln_where_map(cond, a, b, out, n, map);
}

extern "C" __global__ void kiln_where_b64(const uint8_t* cond, const uint64_t* a, const uint64_t* b, uint64_t* out, int64_t n,
                                          KilnWhere map) {
    kiln_where_map(cond, a, b, out, n, map);
}

// ---- triangle: y = x inside the triangle of each [rows, cols] matrix, zero bits outside ----

template <typename T>
__device__ __forceinline__ void kiln_triangle(const T* x, T* y, int64_t n, int32_t rows, int32_t cols, int64_t diagonal,
                                              int32_t upper) {
    KILN_GRID_STRIDE(i, n) {
        int64_t t = i / cols;
        int64_t j = i - t * cols;
        int64_t r = t % rows;
        int64_t d = j - r;
        bool keep = upper ? d >= diagonal : d <= diagonal;
        y[i] = keep ? x[i] : (T)0;
    }
}

extern "C" __global__ void kiln_triangle_b8(const uint8_t* x, uint8_t* y, int64_t n, int32_t rows, int32_t cols,
                                            int64_t diagonal, int32_t upper) {
    kiln_triangle(x, y, n, rows, cols, diagonal, upper);
}

extern "C" __global__ void kiln_triangle_b32(const uint32_t* x, uint32_t* y, int64_t n, int32_t rows, int32_t cols,
                                             int64_t diagonal, int32_t upper) {
    kiln_triangle(x, y, n, rows, cols, diagonal, upper);
}

extern "C" __global__ void kiln_triangle_b64(const uint64_t* x, uint64_t* y, int64_t n, int32_t rows, int32_t cols,
                                             int64_t diagonal, int32_t upper) {
    kiln_triangle(x, y, n, rows, cols, diagonal, upper);
}
