// Fused scaled dot-product attention (dev.kiln.spi.AttentionSpec), forward and backward, tiled in
// shared memory so no L x S matrix is ever stored (FlashAttention-2's scheme, written for clarity
// rather than speed). Layouts: q [batch, lq, e], k [batch, lk, e], v [batch, lk, ev],
// out [batch, lq, ev], lse [batch, lq], batch = outer * heads. The mask (mask_kind 1 = additive
// float, 2 = boolean bytes where 0 removes the key; AttentionSpec.MaskKind's ordinals) is read at
// b/heads*mask_outer + b%heads*mask_head + i*mask_row + j*mask_col. Causal:
// query i sees keys j <= i. Dropout weight of score (b, i, j): Philox element
// offset + (b*lq + i)*lk + j, kept as 1/(1-p) when its uniform is >= p (as kiln_dropout_mask_f32).
// A fully masked row gives out 0, lse -inf and zero gradients (PyTorch's _safe_softmax).
//
// Each block takes work items (problem, tile of T rows) grid-stride; T ("tile", chosen on the host
// so the dynamic shared memory fits 48 KiB) is both the query and the key tile. Backward runs two
// kernels: dq per query tile over all key tiles, dk/dv per key tile over all query tiles, so every
// gradient element is summed by one block in a fixed order (deterministic, no atomics).
#pragma once
#include "common.cuh"
#include "random.cu"

// The dropout weight of one score (1 without dropout).
__device__ __forceinline__ float kiln_attention_keep(float p, uint64_t seed, uint64_t index) {
    if (p == 0.f) return 1.f;
    uint64_t ctr = index >> 2;
    uint32_t c[4] = {(uint32_t)ctr, (uint32_t)(ctr >> 32), 0u, 0u};
    kiln_philox(c, (uint32_t)seed, (uint32_t)(seed >> 32));
    float u = (float)(c[index & 3] >> 8) * 0x1.0p-24f;
    return (p < 1.f && u >= p) ? 1.f / (1.f - p) : 0.f;
}

__device__ __forceinline__ float kiln_attention_dot(const float* a, const float* b, int n) {
    float s = 0.f;
    for (int x = 0; x < n; x++) s = fmaf(a[x], b[x], s);
    return s;
}

// The masked, scaled score of query row i (in shared memory at qs) and key j (at ks), or -inf when
// causal masking hides it.
__device__ __forceinline__ float kiln_attention_score(const float* qs, const float* ks, int e, float scale, const void* mask,
                                                      int32_t mask_kind, int64_t b, int32_t heads, int i, int j, int32_t causal,
                                                      int64_t mo, int64_t mh, int64_t mr, int64_t mc) {
    if (causal && j > i) return -INFINITY;
    float s = scale * kiln_attention_dot(qs, ks, e);
    if (mask_kind == 0) return s;
    int64_t at = (b / heads) * mo + (b % heads) * mh + (int64_t)i * mr + (int64_t)j * mc;
    if (mask_kind == 1) return s + ((const float*)mask)[at];
    return ((const unsigned char*)mask)[at] ? s : -INFINITY;
}

// Copies rows [row0, row0 + n) of a [*, width] array into shared memory of t rows, zeroing the rest.
__device__ __forceinline__ void kiln_attention_load(float* dst, const float* src, int64_t row0, int n, int t, int width) {
    const float* p = src + row0 * width;
    for (int x = threadIdx.x; x < t * width; x += blockDim.x) dst[x] = x < n * width ? p[x] : 0.f;
}

extern "C" __global__ void kiln_attention_forward_f32(const float* q, const float* k, const float* v, const void* mask,
                                                      float* out, float* lse, int64_t outer, int32_t heads, int32_t lq,
                                                      int32_t lk, int32_t e, int32_t ev, float scale, int32_t causal,
                                                      int32_t mask_kind, int64_t mask_outer, int64_t mask_head,
                                                      int64_t mask_row, int64_t mask_col, float dropout_p, uint64_t seed,
                                                      uint64_t offset, int32_t tile) {
    extern __shared__ float smem[];
    const int T = tile;
    float* sQ = smem;
    float* sK = sQ + T * e;
    float* sV = sK + T * e;
    float* sS = sV + T * ev;
    float* sO = sS + T * T;
    float* sM = sO + T * ev;
    float* sL = sM + T;
    float* sC = sL + T;
    int64_t batch = outer * heads;
    int tiles = (lq + T - 1) / T;
    for (int64_t w = blockIdx.x; w < batch * tiles; w += gridDim.x) {
        int64_t b = w / tiles;
        int i0 = (int)(w % tiles) * T;
        int nq = min(T, lq - i0);
        kiln_attention_load(sQ, q, b * lq + i0, nq, T, e);
        for (int x = threadIdx.x; x < T * ev; x += blockDim.x) sO[x] = 0.f;
        for (int r = threadIdx.x; r < T; r += blockDim.x) {
            sM[r] = -INFINITY;
            sL[r] = 0.f;
        }
        int kEnd = causal ? min(lk, i0 + nq) : lk;
        for (int j0 = 0; j0 < kEnd; j0 += T) {
            int nk = min(T, kEnd - j0);
            __syncthreads();
            kiln_attention_load(sK, k, b * lk + j0, nk, T, e);
            kiln_attention_load(sV, v, b * lk + j0, nk, T, ev);
            __syncthreads();
            for (int t = threadIdx.x; t < T * T; t += blockDim.x) {
                int r = t / T, c = t % T;
                sS[t] = (r < nq && c < nk) ? kiln_attention_score(sQ + r * e, sK + c * e, e, scale, mask, mask_kind, b, heads,
                                                                  i0 + r, j0 + c, causal, mask_outer, mask_head, mask_row,
                                                                  mask_col)
                                           : -INFINITY;
            }
            __syncthreads();
            // Online softmax, one thread per row: rescale factor in sC, dropped probabilities in sS.
            for (int r = threadIdx.x; r < T; r += blockDim.x) {
                float* row = sS + r * T;
                float mx = -INFINITY;
                for (int c = 0; c < nk; c++) mx = kiln_max_nan(mx, row[c]);
                float newMax = kiln_max_nan(sM[r], mx);
                if (r >= nq || newMax == -INFINITY) {
                    sC[r] = 1.f;
                    for (int c = 0; c < T; c++) row[c] = 0.f;
                    continue;
                }
                float corr = expf(sM[r] - newMax);
                float sum = 0.f;
                uint64_t first = offset + ((uint64_t)b * lq + (uint64_t)(i0 + r)) * lk + j0;
                for (int c = 0; c < T; c++) {
                    float p = c < nk ? expf(row[c] - newMax) : 0.f;
                    sum += p;
                    row[c] = p == 0.f ? 0.f : p * kiln_attention_keep(dropout_p, seed, first + c);
                }
                sL[r] = sL[r] * corr + sum;
                sM[r] = newMax;
                sC[r] = corr;
            }
            __syncthreads();
            for (int t = threadIdx.x; t < nq * ev; t += blockDim.x) {
                int r = t / ev, x = t % ev;
                float acc = sO[t] * sC[r];
                for (int c = 0; c < nk; c++) acc = fmaf(sS[r * T + c], sV[c * ev + x], acc);
                sO[t] = acc;
            }
        }
        __syncthreads();
        for (int t = threadIdx.x; t < nq * ev; t += blockDim.x) {
            int r = t / ev;
            out[(b * lq + i0) * ev + t] = sM[r] == -INFINITY ? 0.f : sO[t] / sL[r];
        }
        for (int r = threadIdx.x; r < nq; r += blockDim.x) lse[b * lq + i0 + r] = sM[r] == -INFINITY ? -INFINITY : sM[r] + logf(sL[r]);
        __syncthreads();
    }
}

// D_r = dO_r . O_r and the saved log-sum-exp of the rows of a query tile (0 and -inf past the end).
__device__ __forceinline__ void kiln_attention_rows(float* sD, float* sLse, const float* out, const float* gout, const float* lse,
                                                    int64_t row0, int nq, int T, int ev) {
    for (int r = threadIdx.x; r < T; r += blockDim.x) {
        if (r < nq) {
            sD[r] = kiln_attention_dot(gout + (row0 + r) * ev, out + (row0 + r) * ev, ev);
            sLse[r] = lse[row0 + r];
        } else {
            sD[r] = 0.f;
            sLse[r] = -INFINITY;
        }
    }
}

// gq = scale * sum_j dS_ij k_j with dS_ij = P_ij (keep_ij (dO_i . v_j) - D_i), one block per query tile.
extern "C" __global__ void kiln_attention_backward_dq_f32(const float* q, const float* k, const float* v, const void* mask,
                                                          const float* out, const float* lse, const float* gout, float* gq,
                                                          int64_t outer, int32_t heads, int32_t lq, int32_t lk, int32_t e,
                                                          int32_t ev, float scale, int32_t causal, int32_t mask_kind,
                                                          int64_t mask_outer, int64_t mask_head, int64_t mask_row,
                                                          int64_t mask_col, float dropout_p, uint64_t seed, uint64_t offset,
                                                          int32_t tile) {
    extern __shared__ float smem[];
    const int T = tile;
    float* sQ = smem;
    float* sdO = sQ + T * e;
    float* sK = sdO + T * ev;
    float* sV = sK + T * e;
    float* sS = sV + T * ev;
    float* sdQ = sS + T * T;
    float* sD = sdQ + T * e;
    float* sLse = sD + T;
    int64_t batch = outer * heads;
    int tiles = (lq + T - 1) / T;
    for (int64_t w = blockIdx.x; w < batch * tiles; w += gridDim.x) {
        int64_t b = w / tiles;
        int i0 = (int)(w % tiles) * T;
        int nq = min(T, lq - i0);
        int64_t row0 = b * lq + i0;
        kiln_attention_load(sQ, q, row0, nq, T, e);
        kiln_attention_load(sdO, gout, row0, nq, T, ev);
        for (int x = threadIdx.x; x < T * e; x += blockDim.x) sdQ[x] = 0.f;
        kiln_attention_rows(sD, sLse, out, gout, lse, row0, nq, T, ev);
        int kEnd = causal ? min(lk, i0 + nq) : lk;
        for (int j0 = 0; j0 < kEnd; j0 += T) {
            int nk = min(T, kEnd - j0);
            __syncthreads();
            kiln_attention_load(sK, k, b * lk + j0, nk, T, e);
            kiln_attention_load(sV, v, b * lk + j0, nk, T, ev);
            __syncthreads();
            for (int t = threadIdx.x; t < T * T; t += blockDim.x) {
                int r = t / T, c = t % T, i = i0 + r, j = j0 + c;
                float ds = 0.f;
                if (r < nq && c < nk && sLse[r] != -INFINITY && !(causal && j > i)) {
                    float s = kiln_attention_score(sQ + r * e, sK + c * e, e, scale, mask, mask_kind, b, heads, i, j, causal,
                                                   mask_outer, mask_head, mask_row, mask_col);
                    float p = expf(s - sLse[r]);
                    float keep = kiln_attention_keep(dropout_p, seed, offset + ((uint64_t)b * lq + (uint64_t)i) * lk + j);
                    ds = p * (keep * kiln_attention_dot(sdO + r * ev, sV + c * ev, ev) - sD[r]);
                }
                sS[t] = ds;
            }
            __syncthreads();
            for (int t = threadIdx.x; t < nq * e; t += blockDim.x) {
                int r = t / e, x = t % e;
                float acc = sdQ[t];
                for (int c = 0; c < nk; c++) acc = fmaf(sS[r * T + c], sK[c * e + x], acc);
                sdQ[t] = acc;
            }
        }
        __syncthreads();
        for (int t = threadIdx.x; t < nq * e; t += blockDim.x) gq[row0 * e + t] = scale * sdQ[t];
        __syncthreads();
    }
}

// gk = scale * sum_i dS_ij q_i and gv = sum_i P_ij keep_ij dO_i, one block per key tile; gk or gv may be null.
extern "C" __global__ void kiln_attention_backward_dkdv_f32(const float* q, const float* k, const float* v, const void* mask,
                                                            const float* out, const float* lse, const float* gout, float* gk,
                                                            float* gv, int64_t outer, int32_t heads, int32_t lq, int32_t lk,
                                                            int32_t e, int32_t ev, float scale, int32_t causal,
                                                            int32_t mask_kind, int64_t mask_outer, int64_t mask_head,
                                                            int64_t mask_row, int64_t mask_col, float dropout_p,
                                                            uint64_t seed, uint64_t offset, int32_t tile) {
    extern __shared__ float smem[];
    const int T = tile;
    float* sK = smem;
    float* sV = sK + T * e;
    float* sdK = sV + T * ev;
    float* sdV = sdK + T * e;
    float* sQ = sdV + T * ev;
    float* sdO = sQ + T * e;
    float* sP = sdO + T * ev;
    float* sS = sP + T * T;
    float* sD = sS + T * T;
    float* sLse = sD + T;
    int64_t batch = outer * heads;
    int tiles = (lk + T - 1) / T;
    for (int64_t w = blockIdx.x; w < batch * tiles; w += gridDim.x) {
        int64_t b = w / tiles;
        int j0 = (int)(w % tiles) * T;
        int nk = min(T, lk - j0);
        kiln_attention_load(sK, k, b * lk + j0, nk, T, e);
        kiln_attention_load(sV, v, b * lk + j0, nk, T, ev);
        for (int x = threadIdx.x; x < T * e; x += blockDim.x) sdK[x] = 0.f;
        for (int x = threadIdx.x; x < T * ev; x += blockDim.x) sdV[x] = 0.f;
        for (int i0 = causal ? j0 : 0; i0 < lq; i0 += T) {  // under causal masking earlier queries see none of these keys
            int nq = min(T, lq - i0);
            int64_t row0 = b * lq + i0;
            __syncthreads();
            kiln_attention_load(sQ, q, row0, nq, T, e);
            kiln_attention_load(sdO, gout, row0, nq, T, ev);
            kiln_attention_rows(sD, sLse, out, gout, lse, row0, nq, T, ev);
            __syncthreads();
            for (int t = threadIdx.x; t < T * T; t += blockDim.x) {
                int r = t / T, c = t % T, i = i0 + r, j = j0 + c;
                float pd = 0.f, ds = 0.f;
                if (r < nq && c < nk && sLse[r] != -INFINITY && !(causal && j > i)) {
                    float s = kiln_attention_score(sQ + r * e, sK + c * e, e, scale, mask, mask_kind, b, heads, i, j, causal,
                                                   mask_outer, mask_head, mask_row, mask_col);
                    float p = expf(s - sLse[r]);
                    float keep = kiln_attention_keep(dropout_p, seed, offset + ((uint64_t)b * lq + (uint64_t)i) * lk + j);
                    pd = p * keep;
                    ds = p * (keep * kiln_attention_dot(sdO + r * ev, sV + c * ev, ev) - sD[r]);
                }
                sP[t] = pd;
                sS[t] = ds;
            }
            __syncthreads();
            for (int t = threadIdx.x; t < nk * ev; t += blockDim.x) {
                int c = t / ev, x = t % ev;
                float acc = sdV[t];
                for (int r = 0; r < nq; r++) acc = fmaf(sP[r * T + c], sdO[r * ev + x], acc);
                sdV[t] = acc;
            }
            for (int t = threadIdx.x; t < nk * e; t += blockDim.x) {
                int c = t / e, x = t % e;
                float acc = sdK[t];
                for (int r = 0; r < nq; r++) acc = fmaf(sS[r * T + c], sQ[r * e + x], acc);
                sdK[t] = acc;
            }
        }
        __syncthreads();
        if (gk) for (int t = threadIdx.x; t < nk * e; t += blockDim.x) gk[(b * lk + j0) * e + t] = scale * sdK[t];
        if (gv) for (int t = threadIdx.x; t < nk * ev; t += blockDim.x) gv[(b * lk + j0) * ev + t] = sdV[t];
        __syncthreads();
    }
}
