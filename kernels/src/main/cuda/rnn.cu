// Fused pointwise parts of the LSTM and GRU cells (dev.kiln.spi.Backend#lstmCell, #gruCell): one
// thread per element of the [batch, hidden] state; gate tensors are [batch, G * hidden] with the
// gates as column blocks in PyTorch's order (LSTM i, f, g, o; GRU r, z, n).
#pragma once
#include "common.cuh"

__device__ __forceinline__ float kiln_sigmoidf(float v) {
    return 1.0f / (1.0f + expf(-v));
}

// a = xg + hg; i, f, o = sigmoid, g = tanh; c = f * cPrev + i * g; h = o * tanh(c); act = [i, f, g, o].
extern "C" __global__ void kiln_lstm_cell_f32(const float* xg, const float* hg, const float* cPrev, float* h, float* c,
                                              float* act, int64_t batch, int64_t hidden) {
    KILN_GRID_STRIDE(k, batch * hidden) {
        int64_t row = k / hidden, j = k - row * hidden;
        int64_t gi = row * 4 * hidden + j, gf = gi + hidden, gg = gf + hidden, go = gg + hidden;
        float i = kiln_sigmoidf(xg[gi] + hg[gi]);
        float f = kiln_sigmoidf(xg[gf] + hg[gf]);
        float g = tanhf(xg[gg] + hg[gg]);
        float o = kiln_sigmoidf(xg[go] + hg[go]);
        float cn = f * cPrev[k] + i * g;
        c[k] = cn;
        h[k] = o * tanhf(cn);
        act[gi] = i;
        act[gf] = f;
        act[gg] = g;
        act[go] = o;
    }
}

// From gh and gc (the gradient reaching c from later steps): dc = gc + gh * o * (1 - tanh(c)^2);
// the pre-activation gate gradients and gcPrev = dc * f.
extern "C" __global__ void kiln_lstm_cell_backward_f32(const float* act, const float* cPrev, const float* c, const float* gh,
                                                       const float* gc, float* gGates, float* gcPrev, int64_t batch,
                                                       int64_t hidden) {
    KILN_GRID_STRIDE(k, batch * hidden) {
        int64_t row = k / hidden, j = k - row * hidden;
        int64_t gi = row * 4 * hidden + j, gf = gi + hidden, gg = gf + hidden, go = gg + hidden;
        float i = act[gi], f = act[gf], g = act[gg], o = act[go];
        float tc = tanhf(c[k]);
        float dh = gh[k];
        float dc = gc[k] + dh * o * (1.0f - tc * tc);
        gGates[gi] = dc * g * i * (1.0f - i);
        gGates[gf] = dc * cPrev[k] * f * (1.0f - f);
        gGates[gg] = dc * i * (1.0f - g * g);
        gGates[go] = dh * tc * o * (1.0f - o);
        gcPrev[k] = dc * f;
    }
}

// r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r * h_n), h = (1 - z) * n + z * hPrev; act = [r, z, n].
extern "C" __global__ void kiln_gru_cell_f32(const float* xg, const float* hg, const float* hPrev, float* h, float* act,
                                             int64_t batch, int64_t hidden) {
    KILN_GRID_STRIDE(k, batch * hidden) {
        int64_t row = k / hidden, j = k - row * hidden;
        int64_t gr = row * 3 * hidden + j, gz = gr + hidden, gn = gz + hidden;
        float r = kiln_sigmoidf(xg[gr] + hg[gr]);
        float z = kiln_sigmoidf(xg[gz] + hg[gz]);
        float n = tanhf(xg[gn] + r * hg[gn]);
        h[k] = (1.0f - z) * n + z * hPrev[k];
        act[gr] = r;
        act[gz] = z;
        act[gn] = n;
    }
}

// Gradients of both projections and of hPrev through the pointwise part (gh * z).
extern "C" __global__ void kiln_gru_cell_backward_f32(const float* act, const float* hg, const float* hPrev, const float* gh,
                                                      float* gxg, float* ghg, float* ghPrev, int64_t batch, int64_t hidden) {
    KILN_GRID_STRIDE(k, batch * hidden) {
        int64_t row = k / hidden, j = k - row * hidden;
        int64_t gr = row * 3 * hidden + j, gz = gr + hidden, gn = gz + hidden;
        float r = act[gr], z = act[gz], n = act[gn];
        float dh = gh[k];
        float dz = dh * (hPrev[k] - n) * z * (1.0f - z);
        float dn = dh * (1.0f - z) * (1.0f - n * n);
        float dr = dn * hg[gn] * r * (1.0f - r);
        gxg[gr] = dr;
        gxg[gz] = dz;
        gxg[gn] = dn;
        ghg[gr] = dr;
        ghg[gz] = dz;
        ghg[gn] = dn * r;
        ghPrev[k] = dh * z;
    }
}
