// Strided copy (dev.kiln.spi.StridedCopySpec) for any 4-byte dtype: elements move as opaque
// 32-bit words, so FLOAT32 and INT32 share the kernel. Permute, narrow, select, expand and the
// gradients placed back into slices are all this one kernel.
#pragma once
#include "common.cuh"

// For each i < n (row-major over map.shape): y[dst(i)] = x[src(i)]. The host drops size-1 dims
// and merges runs, so map.rank <= 8; every dst(i) is distinct and y never aliases x.
extern "C" __global__ void kiln_strided_copy_b32(const uint32_t* x, uint32_t* y, int64_t n, KilnStridedCopy map) {
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
