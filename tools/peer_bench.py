#!/usr/bin/env python3
"""Peer inference timings on this machine: PyTorch eager, frozen TorchScript, ONNX Runtime,
and with --pth, swift-pth itself measured in the same run.

    python tools/peer_bench.py [--models resnet50,...] [--batches 1,8]
        [--threads 2] [--runs 10] [--rounds 1] [--pth .build/release/pth] [--isa avx2,baseline] [--json out.json]
    (python from a venv with tools/requirements.txt installed)

Every model is torchvision's own class with random weights in eval mode (the timings do not
depend on the values; `pth bench` uses synthetic weights of the same shapes). ONNX Runtime gets an
in-memory export (no file), sequential execution, `threads` intra-op threads. Prints one markdown
row per (model, batch): median ms per batch, the statistic `pth bench` reports.

On a shared machine the load drifts, so each row is measured in `rounds` rounds, each timing every
runtime for `runs` runs in turn (eager, TorchScript, ONNX Runtime, swift-pth): the runtimes see
the same load, and a row's figure is the median over rounds of each round's median. With --pth the
row adds swift-pth and its ratio to the fastest peer (below 1 means faster than every peer); with
--isa, one more swift-pth column per instruction set named, the same binary run with PTH_ISA set to it
(each ratio again to the fastest peer). The first lines name the CPU and the kernels each runtime ran.
"""
import argparse
import io
import json
import os
import platform
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


def pth_bench(binary, name, batch, threads, runs, isa=None):
    """One `pth bench` block (one warm-up run, `runs` timed runs): its median ms per batch and the
    instruction set its kernels ran (`PTH_ISA=isa` forces one)."""
    command = [binary, "bench", "--model", name, "--batch", str(batch), "--threads", str(threads),
               "--runs", str(runs), "--warmup", "1"]
    environment = dict(os.environ, PTH_ISA=isa) if isa else None
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: {result.stderr.strip()}")
    match = re.search(r"([0-9.]+) ms/batch .*, ([a-z0-9]+) kernels\)", result.stdout)
    if not match:
        raise SystemExit(f"unexpected pth bench output: {result.stdout!r}")
    return float(match.group(1)), match.group(2)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe_machine(args):
    """CPU, versions, and the kernels each runtime uses, as the lines before the table."""
    import onnxruntime

    print(f"CPU: {cpu_model()}, {os.cpu_count()} logical cores; {args.threads} threads per runtime")
    print(f"torch {torch.__version__} (CPU capability {torch.backends.cpu.get_cpu_capability()}), "
          f"onnxruntime {onnxruntime.__version__} (MLAS picks its kernels from the CPU)")
    if args.pth:
        _, isa = pth_bench(args.pth, "lenet5", 1, 1, 1)
        print(f"swift-pth: {args.pth}, {isa} kernels by its own detection"
              + (f"; extra columns with PTH_ISA={', '.join(args.isa.split(','))}" if args.isa else ""))
    print()


def onnx_export(model, example):
    """`model` as ONNX bytes: the legacy exporter, opset 17, input `x` and output `y` with a dynamic batch."""
    buffer = io.BytesIO()
    torch.onnx.export(model, (example,), buffer, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "n"}, "y": {0: "n"}}, opset_version=17, dynamo=False)
    return buffer.getvalue()


def onnx_session(exported, threads, profile_prefix=None, optimized_path=None):
    """An ONNX Runtime session on `exported` (`onnx_export`'s bytes): all graph optimizations,
    sequential execution, `threads` intra-op threads; with `profile_prefix` its profiler on, with
    `optimized_path` the optimized graph saved there."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    if profile_prefix:
        options.enable_profiling = True
        options.profile_file_prefix = profile_prefix
    if optimized_path:
        options.optimized_model_filepath = optimized_path
    return onnxruntime.InferenceSession(exported, options, providers=["CPUExecutionProvider"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=",".join(RESOLUTION))
    parser.add_argument("--batches", default="1,8")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds per row")
    parser.add_argument("--pth", help="a built pth binary: add swift-pth and its ratio to the best peer")
    parser.add_argument("--isa", help="with --pth: also time swift-pth with PTH_ISA set to each of these (avx512,avx2,baseline)")
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # TorchScript and the legacy exporter are deprecated but still the fair peers
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    isas = args.isa.split(",") if args.pth and args.isa else []
    describe_machine(args)
    rows = []
    header = "| model | batch | torch eager | torch jit.freeze | ONNX Runtime |"
    if args.pth:
        header += " swift-pth | swift-pth / best peer |"
    for isa in isas:
        header += f" swift-pth PTH_ISA={isa} | ratio |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for name in args.models.split(","):
        model = build(name)
        size = RESOLUTION[name]
        example = torch.randn(1, 3, size, size)
        with torch.no_grad():
            frozen = torch.jit.freeze(torch.jit.trace(model, example, check_trace=False))
        session = onnx_session(onnx_export(model, example), args.threads)
        for batch in (int(b) for b in args.batches.split(",")):
            x = torch.randn(batch, 3, size, size)
            feed = {"x": x.numpy()}
            rounds = {"eager": [], "jit": [], "onnxruntime": [], "swift-pth": []}
            rounds.update({f"swift-pth-{isa}": [] for isa in isas})
            for _ in range(args.rounds):
                with torch.no_grad():
                    rounds["eager"].append(median_ms(lambda: model(x), args.runs))
                    rounds["jit"].append(median_ms(lambda: frozen(x), args.runs))
                rounds["onnxruntime"].append(median_ms(lambda: session.run(None, feed), args.runs))
                if args.pth:
                    rounds["swift-pth"].append(pth_bench(args.pth, name, batch, args.threads, args.runs)[0])
                for isa in isas:
                    rounds[f"swift-pth-{isa}"].append(pth_bench(args.pth, name, batch, args.threads, args.runs, isa)[0])
            row = {"model": name, "batch": batch}
            row.update({key: statistics.median(values) for key, values in rounds.items() if values})
            line = f"| {name} | {batch} | {row['eager']:.0f} | {row['jit']:.0f} | {row['onnxruntime']:.0f} |"
            if args.pth:
                best = min(row["eager"], row["jit"], row["onnxruntime"])
                row["ratio"] = row["swift-pth"] / best
                line += f" {row['swift-pth']:.0f} | {row['ratio']:.2f} |"
                for isa in isas:
                    row[f"ratio-{isa}"] = row[f"swift-pth-{isa}"] / best
                    line += f" {row[f'swift-pth-{isa}']:.0f} | {row[f'ratio-{isa}']:.2f} |"
            rows.append(row)
            print(line, flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": args.threads, "runs": args.runs, "rounds": args.rounds, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
