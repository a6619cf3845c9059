// Dropout masks from Philox4x32-10, bit-identical to dev.kiln.spi.Philox and the CPU backend.
#pragma once
#include "common.cuh"

#define KILN_PHILOX_M0 0xD2511F53u
#define KILN_PHILOX_M1 0xCD9E8D57u
#define KILN_PHILOX_W0 0x9E3779B9u
#define KILN_PHILOX_W1 0xBB67AE85u

// Ten rounds on counter c (4 words) with key (k0, k1) = (seed low, seed high); the key is bumped
// after every round, exactly as Philox.block.
__device__ __forceinline__ void kiln_philox(uint32_t c[4], uint32_t k0, uint32_t k1) {
    for (int r = 0; r < 10; r++) {
        uint32_t lo0 = KILN_PHILOX_M0 * c[0], hi0 = __umulhi(KILN_PHILOX_M0, c[0]);
        uint32_t lo1 = KILN_PHILOX_M1 * c[2], hi1 = __umulhi(KILN_PHILOX_M1, c[2]);
        uint32_t n0 = hi1 ^ c[1] ^ k0, n1 = lo1, n2 = hi0 ^ c[3] ^ k1, n3 = lo0;
        c[0] = n0; c[1] = n1; c[2] = n2; c[3] = n3;
        k0 += KILN_PHILOX_W0;
        k1 += KILN_PHILOX_W1;
    }
}

// mask[i] = u(offset + i) >= p ? 1/(1-p) : 0 for i in [0, n), all zero when p >= 1, where element
// e = offset + i uses counter (e >> 2 low word, high word, 0, 0), lane e & 3, u = (bits >> 8) * 2^-24.
// One thread per Philox counter: it produces the (up to) four elements of that counter.
extern "C" __global__ void kiln_dropout_mask_f32(float* mask, int64_t n, uint64_t seed, uint64_t offset, float p) {
    if (n <= 0) return;
    uint64_t first = offset >> 2, last = (offset + (uint64_t)n - 1) >> 2;
    float keep = p >= 1.f ? 0.f : 1.f / (1.f - p);
    KILN_GRID_STRIDE(k, (int64_t)(last - first + 1)) {
        uint64_t ctr = first + (uint64_t)k;
        uint32_t c[4] = {(uint32_t)ctr, (uint32_t)(ctr >> 32), 0u, 0u};
        kiln_philox(c, (uint32_t)seed, (uint32_t)(seed >> 32));
        for (int lane = 0; lane < 4; lane++) {
            int64_t i = (int64_t)(ctr * 4 + (uint64_t)lane - offset);
            if (i < 0 || i >= n) continue;
            float u = (float)(c[lane] >> 8) * 0x1.0p-24f;
            mask[i] = (p < 1.f && u >= p) ? keep : 0.f;
        }
    }
}
