// 2-D max and average pooling over NCHW (dev.kiln.spi.Pool2dSpec, PyTorch semantics), forward and
// backward. Backward passes are gathers over the windows covering each input cell: deterministic,
// no atomics. planes = N*C; x is [planes, h, w], y is [planes, oh, ow].
#pragma once
#include "common.cuh"

// Flat (row-major) index within the plane of the first maximum of window (oy, ox), NaN winning,
// or -1 if the window holds no input cell.
__device__ __forceinline__ int64_t kiln_max_window(const float* xp, int h, int w, int oy, int ox, int kh, int kw,
                                                   int sh, int sw, int ph, int pw, int dh, int dw, float* best) {
    int y0 = oy * sh - ph, x0 = ox * sw - pw;
    int64_t bi = -1;
    float bv = -INFINITY;
    for (int ky = 0; ky < kh; ky++) {
        int iy = y0 + ky * dh;
        if (iy < 0 || iy >= h) continue;
        for (int kx = 0; kx < kw; kx++) {
            int ix = x0 + kx * dw;
            if (ix < 0 || ix >= w) continue;
            int64_t idx = (int64_t)iy * w + ix;
            float v = xp[idx];
            // Visiting in row-major order, so only a strictly greater value (or a first NaN) replaces.
            if (bi < 0 || v > bv || (v != v && bv == bv)) { bv = v; bi = idx; }
        }
    }
    *best = bv;
    return bi;
}

extern "C" __global__ void kiln_max_pool2d_f32(const float* x, float* y, int64_t planes, int32_t h, int32_t w,
                                               int32_t oh, int32_t ow, int32_t kh, int32_t kw, int32_t sh, int32_t sw,
                                               int32_t ph, int32_t pw, int32_t dh, int32_t dw) {
    int64_t total = planes * oh * ow;
    KILN_GRID_STRIDE(i, total) {
        KilnPlaneCell o = kiln_plane_cell(i, oh, ow);
        float best;
        kiln_max_window(x + o.plane * h * w, h, w, o.row, o.col, kh, kw, sh, sw, ph, pw, dh, dw, &best);
        y[i] = best;
    }
}

// gx[p, iy, ix] = sum of gy[p, oy, ox] over windows whose first maximum is (iy, ix). A window covers
// iy when iy = oy*sh - ph + ky*dh for some ky in [0, kh); each such window's argmax is recomputed.
extern "C" __global__ void kiln_max_pool2d_backward_f32(const float* x, const float* gy, float* gx, int64_t planes,
                                                        int32_t h, int32_t w, int32_t oh, int32_t ow, int32_t kh,
                                                        int32_t kw, int32_t sh, int32_t sw, int32_t ph, int32_t pw,
                                                        int32_t dh, int32_t dw) {
    int64_t total = planes * h * w;
    KILN_GRID_STRIDE(i, total) {
        KilnPlaneCell in = kiln_plane_cell(i, h, w);
        int iy = in.row, ix = in.col;
        const float* xp = x + in.plane * h * w;
        const float* gp = gy + in.plane * oh * ow;
        int64_t self = (int64_t)iy * w + ix;
        float acc = 0.f;
        for (int ky = 0; ky < kh; ky++) {
            int ty = iy + ph - ky * dh;
            if (ty < 0 || ty % sh != 0 || ty / sh >= oh) continue;
            int oy = ty / sh;
            for (int kx = 0; kx < kw; kx++) {
                int tx = ix + pw - kx * dw;
                if (tx < 0 || tx % sw != 0 || tx / sw >= ow) continue;
                int ox = tx / sw;
                float best;
                if (kiln_max_window(xp, h, w, oy, ox, kh, kw, sh, sw, ph, pw, dh, dw, &best) == self) {
                    acc += gp[(int64_t)oy * ow + ox];
                }
            }
        }
        gx[i] = acc;
    }
}

// Divisor of average window (oy, ox): PyTorch's rule. The window is first clipped to the padded
// input (its size is the count-include-pad divisor), then to the input (the real-cell count).
__device__ __forceinline__ int kiln_avg_divisor(int oy, int ox, int h, int w, int kh, int kw, int sh, int sw,
                                                int ph, int pw, int countIncludePad, int* y0, int* y1, int* x0, int* x1) {
    int hs = oy * sh - ph, ws = ox * sw - pw;
    int he = min(hs + kh, h + ph), we = min(ws + kw, w + pw);
    int poolSize = (he - hs) * (we - ws);
    hs = max(hs, 0);
    ws = max(ws, 0);
    he = min(he, h);
    we = min(we, w);
    *y0 = hs; *y1 = he; *x0 = ws; *x1 = we;
    return countIncludePad ? poolSize : (he - hs) * (we - ws);
}

extern "C" __global__ void kiln_avg_pool2d_f32(const float* x, float* y, int64_t planes, int32_t h, int32_t w,
                                               int32_t oh, int32_t ow, int32_t kh, int32_t kw, int32_t sh, int32_t sw,
                                               int32_t ph, int32_t pw, int32_t countIncludePad) {
    int64_t total = planes * oh * ow;
    KILN_GRID_STRIDE(i, total) {
        KilnPlaneCell o = kiln_plane_cell(i, oh, ow);
        const float* xp = x + o.plane * h * w;
        int y0, y1, x0, x1;
        int div = kiln_avg_divisor(o.row, o.col, h, w, kh, kw, sh, sw, ph, pw, countIncludePad, &y0, &y1, &x0, &x1);
        float acc = 0.f;
        for (int iy = y0; iy < y1; iy++) {
            for (int ix = x0; ix < x1; ix++) acc += xp[(int64_t)iy * w + ix];
        }
        y[i] = acc / (float)div;
    }
}

// gx[p, iy, ix] = sum over windows covering (iy, ix) of gy / divisor. Window oy covers iy when
// oy*sh - ph <= iy < oy*sh - ph + kh.
extern "C" __global__ void kiln_avg_pool2d_backward_f32(const float* gy, float* gx, int64_t planes, int32_t h,
                                                        int32_t w, int32_t oh, int32_t ow, int32_t kh, int32_t kw,
                                                        int32_t sh, int32_t sw, int32_t ph, int32_t pw,
                                                        int32_t countIncludePad) {
    int64_t total = planes * h * w;
    KILN_GRID_STRIDE(i, total) {
        KilnPlaneCell in = kiln_plane_cell(i, h, w);
        int iy = in.row, ix = in.col;
        const float* gp = gy + in.plane * oh * ow;
        // oy in [ceil((iy + ph - kh + 1) / sh), floor((iy + ph) / sh)], clipped to [0, oh).
        int oyLo = iy + ph - kh + 1 > 0 ? (iy + ph - kh + 1 + sh - 1) / sh : 0;
        int oyHi = min((iy + ph) / sh, oh - 1);
        int oxLo = ix + pw - kw + 1 > 0 ? (ix + pw - kw + 1 + sw - 1) / sw : 0;
        int oxHi = min((ix + pw) / sw, ow - 1);
        float acc = 0.f;
        for (int oy = oyLo; oy <= oyHi; oy++) {
            for (int ox = oxLo; ox <= oxHi; ox++) {
                int y0, y1, x0, x1;
                int div = kiln_avg_divisor(oy, ox, h, w, kh, kw, sh, sw, ph, pw, countIncludePad, &y0, &y1, &x0, &x1);
                acc += gp[(int64_t)oy * ow + ox] / (float)div;
            }
        }
        gx[i] = acc;
    }
}
