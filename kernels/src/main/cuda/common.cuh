// Shared helpers for Kiln's CUDA kernels. Every kernel is extern "C" (kiln_<op>_<dtype>), takes
// sizes as 64-bit integers where a tensor can exceed 2^31 elements, and loops grid-stride so any
// grid size is correct; the host caps the grid.
#pragma once

#ifdef __CUDACC_RTC__
// NVRTC (the run-time fallback of dev.kiln.cuda.driver.KernelModules) compiles without a CUDA
// include path, so <cstdint> and <cmath> do not resolve there and it predefines neither
// __INT64_TYPE__ nor __builtin_huge_valf: the widths are spelled out (and checked below) and
// INFINITY is its bit pattern.
typedef unsigned char uint8_t;
typedef int int32_t;
typedef unsigned int uint32_t;
typedef long long int64_t;
typedef unsigned long long uint64_t;
#define INFINITY __int_as_float(0x7f800000)
#else
#include <cstdint>
#endif
static_assert(sizeof(uint8_t) == 1, "8-bit integer type (BOOL elements)");
static_assert(sizeof(int32_t) == 4 && sizeof(uint32_t) == 4, "32-bit integer types");
static_assert(sizeof(int64_t) == 8 && sizeof(uint64_t) == 8, "64-bit integer types (kernel parameter layouts rely on them)");

#define KILN_MAX_RANK 8
#define KILN_WARP 32
#define KILN_FULL_MASK 0xffffffffu

// Grid-stride loop over [0, n) with a 64-bit index.
#define KILN_GRID_STRIDE(i, n)                                                        \
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (int64_t)(n); \
         i += (int64_t)blockDim.x * gridDim.x)

// Warp-stride loop: each warp of the grid takes rows warpId, warpId + warps, ... Control flow is
// uniform within a warp, so full-mask shuffles inside the body are safe.
#define KILN_WARP_STRIDE(row, rows)                                                              \
    for (int64_t row = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) / KILN_WARP;              \
         row < (int64_t)(rows); row += ((int64_t)blockDim.x * gridDim.x) / KILN_WARP)

// Position of flat index i in a row-major [planes, rows, cols] array (an NCHW tensor seen as
// N*C planes): the 2-D kernels' grid-stride loops run over elements and need their plane and cell.
struct KilnPlaneCell {
    int64_t plane;
    int row;
    int col;
};

__device__ __forceinline__ KilnPlaneCell kiln_plane_cell(int64_t i, int rows, int cols) {
    KilnPlaneCell c;
    c.col = (int)(i % cols);
    int64_t t = i / cols;
    c.row = (int)(t % rows);
    c.plane = t / rows;
    return c;
}

__device__ __forceinline__ float kiln_warp_sum(float v) {
    for (int o = KILN_WARP / 2; o > 0; o >>= 1) v += __shfl_xor_sync(KILN_FULL_MASK, v, o);
    return v;
}

__device__ __forceinline__ double kiln_warp_sum_d(double v) {
    for (int o = KILN_WARP / 2; o > 0; o >>= 1) v += __shfl_xor_sync(KILN_FULL_MASK, v, o);
    return v;
}

// NaN-propagating max (fmaxf drops NaN; softmax of a row holding NaN must be NaN, as in PyTorch).
__device__ __forceinline__ float kiln_max_nan(float a, float b) {
    return (a != a || a > b) ? a : b;
}

__device__ __forceinline__ float kiln_warp_max_nan(float v) {
    for (int o = KILN_WARP / 2; o > 0; o >>= 1) v = kiln_max_nan(v, __shfl_xor_sync(KILN_FULL_MASK, v, o));
    return v;
}

// True when candidate (v, i) should replace the current best (bv, bi) of an argmax that keeps the
// first maximum and lets NaN win (PyTorch's rule). bi < 0 means "no best yet".
__device__ __forceinline__ bool kiln_argmax_better(float v, int64_t i, float bv, int64_t bi) {
    if (bi < 0) return true;
    bool vn = v != v, bn = bv != bv;
    if (vn || bn) return vn && (!bn || i < bi);
    return v > bv || (v == bv && i < bi);
}

// Broadcasting index map for binary ops, passed by value. Dimensions are right-aligned against
// the output and already coalesced by the host; strides are in elements, 0 where broadcast.
// Layout (little-endian, 200 bytes, 8-byte aligned): int32 rank @0, int32 pad @4,
// int64 shape[8] @8, int64 aStride[8] @72, int64 bStride[8] @136.
struct KilnBroadcast {
    int32_t rank;
    int32_t pad;
    int64_t shape[KILN_MAX_RANK];
    int64_t aStride[KILN_MAX_RANK];
    int64_t bStride[KILN_MAX_RANK];
};

// Offsets into a and b of output element i under a broadcast map: the index is peeled dimension by
// dimension from the innermost; the outermost index is what remains, so it needs no division.
__device__ __forceinline__ void kiln_broadcast_offsets(const KilnBroadcast& bc, int64_t i, int64_t& ia, int64_t& ib) {
    int64_t rem = i;
    ia = 0;
    ib = 0;
    for (int d = bc.rank - 1; d > 0; d--) {
        int64_t s = bc.shape[d];
        int64_t q = rem / s;
        int64_t idx = rem - q * s;
        rem = q;
        ia += idx * bc.aStride[d];
        ib += idx * bc.bStride[d];
    }
    if (bc.rank > 0) {
        ia += rem * bc.aStride[0];
        ib += rem * bc.bStride[0];
    }
}

// Reduction index map for sums, passed by value. Output element o enumerates the kept dims
// (row-major, `keptShape`); reduced element r enumerates the reduced dims (`redShape`). The
// input offset is sum(kept index * keptStride) + sum(reduced index * redStride).
// Layout (little-endian, 264 bytes, 8-byte aligned): int32 keptRank @0, int32 redRank @4,
// int64 keptShape[8] @8, int64 keptStride[8] @72, int64 redShape[8] @136, int64 redStride[8] @200.
struct KilnReduce {
    int32_t keptRank;
    int32_t redRank;
    int64_t keptShape[KILN_MAX_RANK];
    int64_t keptStride[KILN_MAX_RANK];
    int64_t redShape[KILN_MAX_RANK];
    int64_t redStride[KILN_MAX_RANK];
};

// Index map of a strided copy (dev.kiln.spi.StridedCopySpec), passed by value: element i
// enumerates `shape` row-major; it reads inOffset + sum(index * inStride) and writes
// outOffset + sum(index * outStride). Coalesced by the host (size-1 dims dropped, runs merged).
// Layout (little-endian, 216 bytes, 8-byte aligned): int32 rank @0, int32 pad @4,
// int64 shape[8] @8, int64 inStride[8] @72, int64 outStride[8] @136, int64 inOffset @200,
// int64 outOffset @208.
struct KilnStridedCopy {
    int32_t rank;
    int32_t pad;
    int64_t shape[KILN_MAX_RANK];
    int64_t inStride[KILN_MAX_RANK];
    int64_t outStride[KILN_MAX_RANK];
    int64_t inOffset;
    int64_t outOffset;
};
