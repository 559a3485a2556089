#!/usr/bin/env python3
"""PyTorch eager timings in `pth bench`'s own line format, to set the two side by side.

    python tools/bench_torch.py [--models resnet50,...] [--batch 1] [--threads 2]
        [--warmup 3] [--runs 20]
    (python from a venv with tools/requirements.txt installed)

Each model is torchvision's own class (random weights: the cost does not depend on the values) in
eval mode under torch.no_grad(). Prints, per model, the median ms per batch over `runs` timed runs
after `warmup` untimed ones — the statistic and the line `pth bench` prints:
    resnet50 batch 1 threads 2: 41.20 ms/batch (median of 20 runs after 3 warm-up, pytorch eager)
tools/peer_bench.py adds TorchScript and ONNX Runtime; this script shares its model list and timer.
"""
import argparse
import statistics
import time

import torch

from peer_bench import RESOLUTION, build


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=",".join(RESOLUTION))
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for name in args.models.split(","):
        model = build(name)
        size = RESOLUTION[name]
        x = torch.randn(args.batch, 3, size, size)
        with torch.no_grad():
            for _ in range(args.warmup):
                model(x)
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                model(x)
                times.append((time.perf_counter() - start) * 1000)
        print(f"{name} batch {args.batch} threads {args.threads}: {statistics.median(times):.2f} ms/batch "
              f"(median of {args.runs} runs after {args.warmup} warm-up, pytorch eager)", flush=True)


if __name__ == "__main__":
    main()
