#!/usr/bin/env python3
"""PyTorch reference fixtures for Kiln's nn.RNN / nn.LSTM / nn.GRU parity tests.

For each configuration, builds the PyTorch module with a fixed seed, runs it on a fixed input (and
initial states where the case has them) and backpropagates the scalar loss
    sum(output * proj.output) + sum(h_n * proj.h_n) [+ sum(c_n * proj.c_n)]
with fixed random projections. Everything goes into one small safetensors file per case:
    param.<state_dict name>   the module's parameters (PyTorch's names and shapes)
    input, h0, c0             the inputs (h0/c0 only when the case has initial states)
    output, h_n, c_n          the module's outputs
    proj.output, proj.h_n, proj.c_n   the loss projections
    grad.input, grad.h0, grad.c0, grad.<name>   gradients of the loss
and the module's options in the metadata. Usage:
    /usr/bin/python3 bench/peers/torch_rnn_fixtures.py [out_dir]
(default engine-api/src/test/resources/parity).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_interop import write_safetensors  # noqa: E402

# name, mode, input_size, hidden, layers, bidirectional, batch_first, bias, nonlinearity, states, seq_len, batch
CASES = [
    ("lstm_2layer_bidirectional", "lstm", 5, 4, 2, True, False, True, None, True, 3, 2),
    ("lstm_batch_first", "lstm", 3, 6, 1, False, True, True, None, False, 4, 3),
    ("gru_2layer_bidirectional_batch_first", "gru", 5, 4, 2, True, True, True, None, True, 3, 2),
    ("gru_no_bias", "gru", 3, 5, 1, False, False, False, None, False, 4, 2),
    ("rnn_tanh_2layer_bidirectional", "rnn", 4, 3, 2, True, False, True, "tanh", True, 5, 2),
    ("rnn_relu_batch_first", "rnn", 4, 3, 1, False, True, True, "relu", True, 3, 3),
    # hidden 16: a whole number of float vectors (8 or 16 lanes), so the CPU cells take their Vector API path
    ("lstm_hidden16_bidirectional_batch_first", "lstm", 7, 16, 1, True, True, True, None, True, 5, 3),
    ("gru_hidden16", "gru", 7, 16, 1, False, False, True, None, True, 5, 3),
]


def build(mode, inp, hid, layers, bidir, batch_first, bias, nonlinearity):
    kw = dict(num_layers=layers, bidirectional=bidir, batch_first=batch_first, bias=bias)
    if mode == "lstm":
        return torch.nn.LSTM(inp, hid, **kw)
    if mode == "gru":
        return torch.nn.GRU(inp, hid, **kw)
    return torch.nn.RNN(inp, hid, nonlinearity=nonlinearity, **kw)


def fixture(case):
    name, mode, inp, hid, layers, bidir, batch_first, bias, nonlinearity, states, seq, batch = case
    torch.manual_seed(sum(map(ord, name)))
    m = build(mode, inp, hid, layers, bidir, batch_first, bias, nonlinearity)
    dirs = 2 if bidir else 1
    x = torch.randn(*((batch, seq, inp) if batch_first else (seq, batch, inp)), requires_grad=True)
    h0 = torch.randn(layers * dirs, batch, hid, requires_grad=True) if states else None
    c0 = torch.randn(layers * dirs, batch, hid, requires_grad=True) if states and mode == "lstm" else None
    if mode == "lstm":
        out, (h_n, c_n) = m(x, (h0, c0)) if states else m(x)
    else:
        out, h_n = m(x, h0) if states else m(x)
        c_n = None
    t = {"input": x, "output": out, "h_n": h_n, "proj.output": torch.randn_like(out), "proj.h_n": torch.randn_like(h_n)}
    loss = (out * t["proj.output"]).sum() + (h_n * t["proj.h_n"]).sum()
    if c_n is not None:
        t["c_n"] = c_n
        t["proj.c_n"] = torch.randn_like(c_n)
        loss = loss + (c_n * t["proj.c_n"]).sum()
    loss.backward()
    t["grad.input"] = x.grad
    if h0 is not None:
        t["h0"], t["grad.h0"] = h0, h0.grad
    if c0 is not None:
        t["c0"], t["grad.c0"] = c0, c0.grad
    for k, p in m.named_parameters():
        t["param." + k] = p
        t["grad." + k] = p.grad
    meta = {"mode": mode, "input_size": inp, "hidden_size": hid, "num_layers": layers, "bidirectional": bidir,
            "batch_first": batch_first, "bias": bias, "nonlinearity": nonlinearity or "tanh", "states": states,
            "torch": torch.__version__}
    return name, {k: v.detach().float() for k, v in t.items()}, meta


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join("engine-api", "src", "test", "resources", "parity")
    for case in CASES:
        name, tensors, meta = fixture(case)
        path = os.path.join(out_dir, name + ".safetensors")
        write_safetensors(path, tensors, meta)
        print(f"{path}: {len(tensors)} tensors, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
