// Gather and scatter-add along one dimension (dev.kiln.spi.IndexSpec), one-hot encoding and the
// range of an index. The indexed tensor is seen as [outer, size, inner], the other side (gather
// output, scatter source) as [outer, count, inner]; the index is either shared, [count], or per
// element, [outer, count, inner], and INT32 or INT64 (`wide`).
//
// Out-of-range indices are reported through a device error record of three uint64: [0] = 1 +
// the launch's label (set once by atomicCAS, so the first failing launch since the host last
// read it wins), [1] = the bad value, [2] = the size it had to be below. Only the thread that won
// the CAS writes [1] and [2]; the host reads the record after a sync and zeroes it.
#pragma once
#include "common.cuh"

__device__ __forceinline__ int64_t kiln_index_at(const void* index, int32_t wide, int64_t j) {
    return wide ? ((const int64_t*)index)[j] : (int64_t)((const int32_t*)index)[j];
}

__device__ __forceinline__ void kiln_index_error(uint64_t* error, int32_t label, int64_t value, int64_t size) {
    if (atomicCAS((unsigned long long*)error, 0ull, (unsigned long long)label + 1ull) == 0ull) {
        error[1] = (uint64_t)value;
        error[2] = (uint64_t)size;
    }
}

// out[o, k, i] = x[o, index(o, k, i), i] for j < n = outer * count * inner (j row-major over
// [outer, count, inner]), elements of elemBytes (1, 4 or 8) bytes moved bit for bit. An
// out-of-range index writes zero and is reported.
extern "C" __global__ void kiln_index_gather_any(const void* x, const void* index, void* out, int64_t n, int64_t size,
                                                 int64_t count, int64_t inner, int32_t shared, int32_t wide,
                                                 int32_t elemBytes, uint64_t* error, int32_t label) {
    KILN_GRID_STRIDE(j, n) {
        int64_t oi = j / inner;  // o * count + k
        int64_t i = j - oi * inner;
        int64_t o = oi / count;
        int64_t k = oi - o * count;
        int64_t r = kiln_index_at(index, wide, shared ? k : j);
        bool ok = r >= 0 && r < size;
        if (!ok) kiln_index_error(error, label, r, size);
        int64_t from = (o * size + (ok ? r : 0)) * inner + i;
        if (elemBytes == 4) {
            ((uint32_t*)out)[j] = ok ? ((const uint32_t*)x)[from] : 0u;
        } else if (elemBytes == 8) {
            ((uint64_t*)out)[j] = ok ? ((const uint64_t*)x)[from] : 0ull;
        } else {
            ((unsigned char*)out)[j] = ok ? ((const unsigned char*)x)[from] : (unsigned char)0;
        }
    }
}

// out[o, index(o, k, i), i] += src[o, k, i], one thread per column c = o * inner + i < columns,
// walking k = 0 .. count-1 in order: no two threads touch one element, so there are no atomics
// and every element sums in the same order as the CPU kernel (bit-identical results). Entries
// whose index equals skip are dropped; out-of-range ones are reported and dropped.
extern "C" __global__ void kiln_index_scatter_add_f32(const float* src, const void* index, float* out, int64_t columns,
                                                      int64_t size, int64_t count, int64_t inner, int32_t shared,
                                                      int32_t wide, int64_t skip, uint64_t* error, int32_t label) {
    KILN_GRID_STRIDE(c, columns) {
        int64_t o = c / inner;
        int64_t i = c - o * inner;
        for (int64_t k = 0; k < count; k++) {
            int64_t s = (o * count + k) * inner + i;
            int64_t r = kiln_index_at(index, wide, shared ? k : s);
            if (r == skip) continue;
            if (r < 0 || r >= size) {
                kiln_index_error(error, label, r, size);
                continue;
            }
            int64_t t = (o * size + r) * inner + i;
            out[t] = out[t] + src[s];
        }
    }
}

// out[j, c] = (index[j] == c) as int64 for e = j * classes + c < n * classes; thread e < n also
// checks index[e] (so classes == 0 still reports), a value outside [0, classes) leaving its row zero.
extern "C" __global__ void kiln_one_hot_i64(const void* index, int64_t* out, int64_t n, int64_t classes, int32_t wide,
                                            uint64_t* error, int32_t label) {
    int64_t total = n * classes > n ? n * classes : n;
    KILN_GRID_STRIDE(e, total) {
        if (e < n) {
            int64_t v = kiln_index_at(index, wide, e);
            if (v < 0 || v >= classes) kiln_index_error(error, label, v, classes);
        }
        if (e < n * classes) {
            int64_t j = e / classes;
            out[e] = kiln_index_at(index, wide, j) == e - j * classes ? 1 : 0;
        }
    }
}

// minMax[0] = min, minMax[1] = max of index[0 .. n-1] (n >= 1), by one block of blockDim.x
// threads (a power of two, at most 1024): order-free, so deterministic without atomics.
extern "C" __global__ void kiln_index_range_i64(const void* index, int64_t n, int32_t wide, int64_t* minMax) {
    __shared__ int64_t lo[1024];
    __shared__ int64_t hi[1024];
    int t = threadIdx.x;
    int64_t mn = 0x7fffffffffffffffLL, mx = -0x7fffffffffffffffLL - 1;
    for (int64_t j = t; j < n; j += blockDim.x) {
        int64_t v = kiln_index_at(index, wide, j);
        mn = v < mn ? v : mn;
        mx = v > mx ? v : mx;
    }
    lo[t] = mn;
    hi[t] = mx;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) {
            lo[t] = lo[t + s] < lo[t] ? lo[t + s] : lo[t];
            hi[t] = hi[t + s] > hi[t] ? hi[t + s] : hi[t];
        }
        __syncthreads();
    }
    if (t == 0) {
        minMax[0] = lo[0];
        minMax[1] = hi[0];
    }
}
