// Permuted copy of a contiguous tensor (dev.kiln.spi.PermuteSpec), for any 4-byte dtype: elements
// move as opaque 32-bit words, so FLOAT32 and INT32 share the kernel.
#pragma once
#include "common.cuh"

// y[i] = x[src(i)] where i enumerates y row-major over map.shape and src(i) = sum of index *
// map.srcStride. The host drops size-1 dims and merges runs, so map.rank <= 8; y never aliases x.
extern "C" __global__ void kiln_permute_b32(const uint32_t* x, uint32_t* y, int64_t n, KilnPermute map) {
    KILN_GRID_STRIDE(i, n) {
        int64_t rem = i, src = 0;
        for (int d = map.rank - 1; d > 0; d--) {
            int64_t s = map.shape[d];
            int64_t q = rem / s;
            src += (rem - q * s) * map.srcStride[d];
            rem = q;
        }
        if (map.rank > 0) src += rem * map.srcStride[0];  // the outermost index is what remains
        y[i] = x[src];
    }
}
