#!/usr/bin/env python3
"""PyTorch CPU peer of `./kiln bench lstm`: the seq-MNIST LSTM training step (LSTM(28, 128,
batch_first=True), linear head on h_n, cross-entropy, Adam), batch already in memory.
Usage: /usr/bin/python3 bench/peers/torch_lstm_step.py [batch] [steps] [repeats] [threads]
Prints one line per repeat: sequences per second."""
import sys
import time

import torch


def main():
    batch, steps, repeats, threads = (int(a) for a in (sys.argv[1:] + ["64", "20", "5", "2"][len(sys.argv) - 1:]))
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    lstm, head = torch.nn.LSTM(28, 128, batch_first=True), torch.nn.Linear(128, 10)
    opt = torch.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=1e-3)
    x, y = torch.rand(batch, 28, 28), torch.randint(0, 10, (batch,))

    def step():
        _, (h_n, _) = lstm(x)
        loss = torch.nn.functional.cross_entropy(head(h_n[0]), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    for _ in range(5):
        step()
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        print(f"{batch * steps / (time.perf_counter() - t0):.1f} seq/s")


if __name__ == "__main__":
    main()
