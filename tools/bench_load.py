#!/usr/bin/env python3
"""Load-time benchmark: how long reading a checkpoint takes (not a test; numbers vary by machine).

Makes a ResNet50-sized zip checkpoint (torchvision resnet50, random weights, torch.save) in a
temporary folder, then on the same file and in the same run times, best of --repeat:
  - torch.load(f, mmap=True)                       (tensors mapped, not read)
  - torch.load(f, mmap=True) + t.float() per tensor (float32 tensors come back as-is)
  - tools/bench-load (a small Swift package using swift-pth's PthCheckpoint from this checkout, built
    here in release), timed inside its process (no hashing, no process start-up): open the file; then
    every tensor as Float32 in place (zero-copy, like torch's mmap); and, separately, every tensor
    copied out to a [Float].
Usage: python tools/bench_load.py [--repeat 7]   (python from a venv with tools/requirements.txt installed)
"""
import argparse
import pathlib
import subprocess
import tempfile
import time

import torch
import torchvision


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(1)
    package = pathlib.Path(__file__).resolve().parent / "bench-load"
    subprocess.run(["swift", "build", "-c", "release", "--package-path", str(package)], check=True)
    bin_path = subprocess.run(["swift", "build", "-c", "release", "--package-path", str(package), "--show-bin-path"],
                              check=True, capture_output=True, text=True).stdout.strip()
    bench = str(pathlib.Path(bin_path) / "bench-load")
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "resnet50.pth"
        torch.manual_seed(0)
        torch.save(torchvision.models.resnet50(weights=None).state_dict(), path)
        size = path.stat().st_size
        subprocess.run([bench, str(path)], check=True, capture_output=True)  # warm the page cache

        load = best(lambda: torch.load(path, mmap=True, weights_only=True), args.repeat)
        load_float = best(lambda: [t.float() for t in torch.load(path, mmap=True, weights_only=True).values()], args.repeat)
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run([bench, str(path)], check=True, capture_output=True, text=True).stdout
            fields = out.split()
            runs.append({fields[i]: float(fields[i + 1]) for i in range(0, len(fields), 2)})
        pth = {key: min(run[key] for run in runs) for key in ("open", "open_and_view", "open_and_copy")}
        print(f"file: resnet50 random weights, {size / 1e6:.1f} MB zip, {int(runs[0]['tensors'])} tensors, best of {args.repeat}")
        print(f"torch.load(mmap=True):                          {load * 1e3:8.2f} ms")
        print(f"torch.load(mmap=True) + .float() each:          {load_float * 1e3:8.2f} ms")
        print(f"pth: open (Checkpoint + stateDict):             {pth['open'] * 1e3:8.2f} ms")
        print(f"pth: open + every tensor as Float32 in place:   {pth['open_and_view'] * 1e3:8.2f} ms")
        print(f"pth: open + every tensor copied out to [Float]: {pth['open_and_copy'] * 1e3:8.2f} ms")

if __name__ == "__main__":
    main()
