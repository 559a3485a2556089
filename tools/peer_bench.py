#!/usr/bin/env python3
"""Peer inference timings on this machine: PyTorch eager, frozen TorchScript, ONNX Runtime.

    ~/venvs/torch/bin/python tools/peer_bench.py [--models resnet50,...] [--batches 1,8]
        [--threads 2] [--runs 10] [--json out.json]

Every model is torchvision's own class with random weights in eval mode (the timings do not
depend on the values). ONNX Runtime gets an in-memory export (no file), sequential execution,
`threads` intra-op threads. Prints one markdown row per (model, batch): median ms per batch over
`runs` timed runs after warm-up, the same statistic `pth bench` reports.
"""
import argparse
import io
import json
import statistics
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
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # TorchScript and the legacy exporter are deprecated but still the fair peers
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    rows = []
    print("| model | batch | torch eager | torch jit.freeze | ONNX Runtime |")
    print("|---|---|---|---|---|")
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
            with torch.no_grad():
                eager = median_ms(lambda: model(x), args.runs)
                jit = median_ms(lambda: frozen(x), args.runs)
            ort = median_ms(lambda: session.run(None, feed), args.runs)
            row = {"model": name, "batch": batch, "eager": eager, "jit": jit, "onnxruntime": ort}
            rows.append(row)
            print(f"| {name} | {batch} | {eager:.0f} | {jit:.0f} | {ort:.0f} |", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": args.threads, "runs": args.runs, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
