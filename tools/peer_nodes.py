#!/usr/bin/env python3
"""swift-pth and ONNX Runtime side by side, by kind of layer: where one is faster than the other.

    python tools/peer_nodes.py --pth .build/release/pth [--model resnet50] [--threads 1]
        [--runs 5] [--rounds 3]
    (python from a venv with tools/requirements.txt installed)

The model is torchvision's class with random weights, exported to ONNX in memory as
`peer_bench.py` exports it; swift-pth runs `pth bench --profile` on the same architecture. Each
round times ONNX Runtime (`runs` runs with its profiler on) and then one `pth bench --profile` block
of `runs` runs, so both see the same load. Over the rounds the script keeps each runtime's fastest
wall time and, for every node, its fastest time: ONNX Runtime's per run, swift-pth's per block
(its mean ms/run), so the comparison leans slightly towards ONNX Runtime.

Convolutions are grouped by kind as `pth bench --profile` names them (`conv 3×3/1`,
`conv 5×5/2 g672` for a depthwise conv with 672 groups), with ONNX Runtime's nodes named the same
way from their kernel shape, stride and group. What each side fuses differs: swift-pth applies
SiLU, sigmoid, residual adds and BatchNorm + ReLU inside its convs, ONNX Runtime runs SiLU as a
separate `QuickGelu` node and squeeze-excitation gates as `Mul`, and converts between NCHW and its
channel-blocked layout with `Reorder*` nodes; the other nodes are listed by kind (swift-pth) or
ONNX operator (ONNX Runtime) after the convolutions.
"""
import argparse
import collections
import json
import os
import tempfile
import warnings

import torch

from compare_builds import profile
from peer_bench import RESOLUTION, build, onnx_export, onnx_session


def onnx_kinds(path):
    """Node name → kind (`conv 3×3/1 g32` for convolutions, the ONNX operator otherwise), read from
    the optimized model ONNX Runtime saved."""
    import onnx

    model = onnx.load(path)
    shapes = {tensor.name: list(tensor.dims) for tensor in model.graph.initializer}
    kinds = {}
    for node in model.graph.node:
        if node.op_type in ("Conv", "FusedConv"):
            attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
            # Without the attribute, the kernel is the weight's shape past its two channel axes.
            kh, kw = attributes.get("kernel_shape") or shapes.get(node.input[1], [0, 0, 0, 0])[2:4]
            strides = attributes.get("strides", [1, 1])
            stride = str(strides[0]) if strides[0] == strides[1] else f"{strides[0]}×{strides[1]}"
            group = attributes.get("group", 1)
            if kh == kw == 1 and group > 1:
                # One weight per channel: how ONNX Runtime runs a BatchNorm no conv before it absorbed.
                kinds[node.name] = "conv 1×1 per channel"
            else:
                kinds[node.name] = f"conv {kh}×{kw}/{stride}" + (f" g{group}" if group > 1 else "")
        else:
            kinds[node.name] = node.op_type
    return kinds


def onnx_node_minima(session, feed, runs):
    """Runs `session` `runs` times with its profiler on: ({node: fastest ms}, fastest run ms)."""
    for _ in range(runs):
        session.run(None, feed)
    path = session.end_profiling()
    with open(path) as file:
        events = json.load(file)
    os.remove(path)
    nodes, wall = {}, float("inf")
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            name = event["name"][: -len("_kernel_time")]
            nodes[name] = min(nodes.get(name, float("inf")), event["dur"] / 1000)
        elif event.get("name") == "model_run":
            wall = min(wall, event["dur"] / 1000)
    return nodes, wall


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pth", required=True, help="a built pth binary")
    parser.add_argument("--model", default="resnet50", choices=sorted(RESOLUTION))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    args.batch = 1
    warnings.filterwarnings("ignore")
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    size = RESOLUTION[args.model]
    example = torch.randn(1, 3, size, size)
    feed = {"x": example.numpy()}
    exported = onnx_export(build(args.model), example)
    with tempfile.TemporaryDirectory() as directory:
        optimized = os.path.join(directory, "optimized.onnx")
        ort_kinds = None
        ort_nodes, ort_wall = {}, float("inf")
        pth_nodes, pth_kinds, pth_wall = {}, {}, float("inf")
        for _ in range(args.rounds):
            # A new session per round: ONNX Runtime's profiler covers one session's runs.
            session = onnx_session(exported, args.threads, profile_prefix=os.path.join(directory, "profile"),
                                   optimized_path=None if ort_kinds else optimized)
            session.run(None, feed)
            if ort_kinds is None:
                ort_kinds = onnx_kinds(optimized)
            nodes, wall = onnx_node_minima(session, feed, args.runs)
            ort_wall = min(ort_wall, wall)
            for name, ms in nodes.items():
                ort_nodes[name] = min(ort_nodes.get(name, float("inf")), ms)
            wall, nodes = profile(args.pth, args)
            pth_wall = min(pth_wall, wall)
            for name, (kind, ms) in nodes.items():
                pth_nodes[name] = min(pth_nodes.get(name, float("inf")), ms)
                pth_kinds[name] = kind

    print(f"{args.model} batch 1, {args.threads} thread(s), minima over {args.rounds} rounds of {args.runs} runs")
    print(f"wall: swift-pth {pth_wall:.2f} ms, ONNX Runtime {ort_wall:.2f} ms, ratio {pth_wall / ort_wall:.3f}")
    print(f"sum of per-node minima: swift-pth {sum(pth_nodes.values()):.2f} ms, "
          f"ONNX Runtime {sum(ort_nodes.values()):.2f} ms")
    ours, theirs = collections.defaultdict(float), collections.defaultdict(float)
    for name, ms in pth_nodes.items():
        ours[pth_kinds[name]] += ms
    for name, ms in ort_nodes.items():
        theirs[ort_kinds.get(name, "?")] += ms
    convs = sorted((k for k in set(ours) | set(theirs) if k.startswith("conv ")),
                   key=lambda k: -max(ours.get(k, 0), theirs.get(k, 0)))
    print(f"{'convolutions':28} {'swift-pth ms':>13} {'ONNX Runtime ms':>16} {'ratio':>7}")
    for kind in convs:
        a, b = ours.get(kind, 0.0), theirs.get(kind, 0.0)
        ratio = f"{a / b:.2f}" if a > 0 and b > 0 else "-"
        print(f"{kind:28} {a:13.2f} {b:16.2f} {ratio:>7}")
    rest = lambda table: ", ".join(f"{k} {v:.2f}" for k, v in sorted(table.items(), key=lambda i: -i[1])
                                    if not k.startswith("conv ") and v >= 0.01)
    print(f"other swift-pth nodes (ms): {rest(ours)}")
    print(f"other ONNX Runtime nodes (ms): {rest(theirs)}")


if __name__ == "__main__":
    main()
