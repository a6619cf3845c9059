// Strided copy (dev.kiln.spi.StridedCopySpec) for every dtype: elements move as opaque 8-, 32- or
// 64-bit words (BOOL; FLOAT32 and INT32; INT64), one kernel per width. Permute, narrow, select,
// expand, cat and the gradients placed back into slices are all this one copy.
#pragma once
#include "common.cuh"

// For each i < n (row-major over map.shape): y[dst(i)] = x[src(i)]. The host drops size-1 dims
// and merges runs, so map.rank <= 8; every dst(i) is distinct and y never aliases x.
template <typename T>
__device__ __forceinline__ void kiln_strided_copy(const T* x, T* y, int64_t n, const KilnStridedCopy& map) {
    KILN_GRID_STRIDE(i, n) {
        int64_t rem = i, src = map.inOffset, dst = map.outOffset;
        for (int d = map.rank - 1; d > 0; d--) {
            int64_t s = map.shape[d];
            int64_t q = rem / s;
            int64_t j = rem - q * s;
            src += j * map.inStride[d];
            dst += j * map.outStride[d];
            rem = q;
        }
        if (map.rank > 0) {  // the outermost index is what remains
            src += rem * map.inStride[0];
            dst += rem * map.outStride[0];
        }
        y[dst] = x[src];
    }
}

extern "C" __global__ void kiln_strided_copy_b32(const uint32_t* x, uint32_t* y, int64_t n, KilnStridedCopy map) {
    kiln_strided_copy(x, y, n, map);
}

extern "C" __global__ void kiln_strided_copy_b8(const uint8_t* x, uint8_t* y, int64_t n, KilnStridedCopy map) {
    kiln_strided_copy(x, y, n, map);
}

extern "C" __global__ void kiln_strided_copy_b64(const uint64_t* x, uint64_t* y, int64_t n, KilnStridedCopy map) {
    kiln_strided_copy(x, y, n, map);
}
