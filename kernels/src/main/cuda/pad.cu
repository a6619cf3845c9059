// Explicit 2-D padding of NCHW planes (dev.kiln.spi.PadSpec): zeros or circular, and its adjoint.
#pragma once
#include "common.cuh"

// Wraps i into [0, n) (circular padding; i may be negative).
__device__ __forceinline__ int kiln_wrap(int i, int n) {
    int r = i % n;
    return r < 0 ? r + n : r;
}

// y[p, oy, ox] = x[p, oy - top, ox - left], zero outside (circular = 0) or wrapped (circular = 1).
// planes = N*C; y is [planes, oh, ow] with oh = h + top + bottom, ow = w + left + right.
extern "C" __global__ void kiln_pad2d_f32(const float* x, float* y, int64_t planes, int32_t h, int32_t w,
                                          int32_t top, int32_t left, int32_t oh, int32_t ow, int32_t circular) {
    int64_t total = planes * oh * ow;
    KILN_GRID_STRIDE(i, total) {
        KilnPlaneCell o = kiln_plane_cell(i, oh, ow);
        int64_t p = o.plane;
        int iy = o.row - top, ix = o.col - left;
        float v;
        if (circular) {
            v = x[(p * h + kiln_wrap(iy, h)) * w + kiln_wrap(ix, w)];
        } else {
            v = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x[(p * h + iy) * w + ix] : 0.f;
        }
        y[i] = v;
    }
}

// Adjoint of kiln_pad2d_f32, as a gather (deterministic): gx[p, iy, ix] = sum of gy over every
// output cell that reads (iy, ix). Zeros: exactly one; circular: every oy = iy + top + k*h in range.
extern "C" __global__ void kiln_pad2d_backward_f32(const float* gy, float* gx, int64_t planes, int32_t h, int32_t w,
                                                   int32_t top, int32_t left, int32_t oh, int32_t ow, int32_t circular) {
    int64_t total = planes * h * w;
    KILN_GRID_STRIDE(i, total) {
        KilnPlaneCell in = kiln_plane_cell(i, h, w);
        int iy = in.row, ix = in.col;
        const float* g = gy + in.plane * oh * ow;
        float acc;
        if (!circular) {
            acc = g[(int64_t)(iy + top) * ow + ix + left];
        } else {
            acc = 0.f;
            // Smallest oy >= 0 congruent to iy + top modulo h, then every h rows after it.
            for (int oy = kiln_wrap(iy + top, h); oy < oh; oy += h) {
                for (int ox = kiln_wrap(ix + left, w); ox < ow; ox += w) acc += g[(int64_t)oy * ow + ox];
            }
        }
        gx[i] = acc;
    }
}
