#!/usr/bin/env python3
"""Peer inference timings on this machine: PyTorch eager, frozen TorchScript, ONNX Runtime,
and with --pth, swift-pth itself measured in the same run.

    python tools/peer_bench.py [--models resnet50,...] [--batches 1,8]
        [--threads 2] [--runs 10] [--rounds 1] [--pth .build/release/pth] [--json out.json]
    (python from a venv with tools/requirements.txt installed)

Every model is torchvision's own class with random weights in eval mode (the timings do not
depend on the values; `pth bench` uses synthetic weights of the same shapes). ONNX Runtime gets an
in-memory export (no file), sequential execution, `threads` intra-op threads. Prints one markdown
row per (model, batch): median ms per batch, the statistic `pth bench` reports.

On a shared machine the load drifts, so each row is measured in `rounds` rounds, each timing every
runtime for `runs` runs in turn (eager, TorchScript, ONNX Runtime, swift-pth): the runtimes see
the same load, and a row's figure is the median over rounds of each round's median. With --pth the
row adds swift-pth and its ratio to the fastest peer (below 1 means faster than every peer).
"""
import argparse
import io
import json
import re
import statistics
import subprocess
import time
import warnings

import torch
import torchvision

RESOLUTION = {"resnet50": 224, "inception_v3": 299, "densenet121": 224, "efficientnet_b0": 224}


def build(name):
    if name == "inception_v3":
        model = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False)
    else:
        model = getattr(torchvision.models, name)(weights=None)
    return model.eval()


def median_ms(function, runs, warmup=2):
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def pth_ms(binary, name, batch, threads, runs):
    """One `pth bench` block (one warm-up run, `runs` timed runs): its median ms per batch."""
    command = [binary, "bench", "--model", name, "--batch", str(batch), "--threads", str(threads),
               "--runs", str(runs), "--warmup", "1"]
    line = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    match = re.search(r"([0-9.]+) ms/batch", line)
    if not match:
        raise SystemExit(f"unexpected pth bench output: {line!r}")
    return float(match.group(1))


def onnx_session(model, example, threads):
    import onnxruntime

    buffer = io.BytesIO()
    torch.onnx.export(model, (example,), buffer, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "n"}, "y": {0: "n"}}, opset_version=17, dynamo=False)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(buffer.getvalue(), options, providers=["CPUExecutionProvider"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=",".join(RESOLUTION))
    parser.add_argument("--batches", default="1,8")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds per row")
    parser.add_argument("--pth", help="a built pth binary: add swift-pth and its ratio to the best peer")
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # TorchScript and the legacy exporter are deprecated but still the fair peers
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    rows = []
    header = "| model | batch | torch eager | torch jit.freeze | ONNX Runtime |"
    if args.pth:
        header += " swift-pth | swift-pth / best peer |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for name in args.models.split(","):
        model = build(name)
        size = RESOLUTION[name]
        example = torch.randn(1, 3, size, size)
        with torch.no_grad():
            frozen = torch.jit.freeze(torch.jit.trace(model, example, check_trace=False))
        session = onnx_session(model, example, args.threads)
        for batch in (int(b) for b in args.batches.split(",")):
            x = torch.randn(batch, 3, size, size)
            feed = {"x": x.numpy()}
            rounds = {"eager": [], "jit": [], "onnxruntime": [], "swift-pth": []}
            for _ in range(args.rounds):
                with torch.no_grad():
                    rounds["eager"].append(median_ms(lambda: model(x), args.runs))
                    rounds["jit"].append(median_ms(lambda: frozen(x), args.runs))
                rounds["onnxruntime"].append(median_ms(lambda: session.run(None, feed), args.runs))
                if args.pth:
                    rounds["swift-pth"].append(pth_ms(args.pth, name, batch, args.threads, args.runs))
            row = {"model": name, "batch": batch}
            row.update({key: statistics.median(values) for key, values in rounds.items() if values})
            line = f"| {name} | {batch} | {row['eager']:.0f} | {row['jit']:.0f} | {row['onnxruntime']:.0f} |"
            if args.pth:
                best = min(row["eager"], row["jit"], row["onnxruntime"])
                row["ratio"] = row["swift-pth"] / best
                line += f" {row['swift-pth']:.0f} | {row['ratio']:.2f} |"
            rows.append(row)
            print(line, flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": args.threads, "runs": args.runs, "rounds": args.rounds, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
