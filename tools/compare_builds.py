#!/usr/bin/env python3
"""Two builds of `pth` side by side, node by node: which kinds of layer a change made faster.

    python tools/compare_builds.py BEFORE AFTER [--model resnet50] [--threads 1] [--batch 1]
        [--runs 5] [--rounds 3] [--top 15]

BEFORE and AFTER are `pth` binaries (build one, copy it aside, build the other). Each round runs
`pth bench --profile` once with each binary, in turn, so both see the same load; over the rounds
the script keeps each binary's fastest wall time and, for every node, its fastest ms/run. It prints
the wall minima, the sums of the per-node minima, and those sums by kind of node (as `--profile`
names them: `conv 3×3/1`, `conv 5×5/1 g672`, `channel affine`, …), largest first, with AFTER / BEFORE.

On a machine shared with other work, minima over alternated rounds are the figures that move least:
a single run, or medians taken at different times, can differ by more than the change measured. A
node AFTER no longer has (fused away) counts as 0 in its sums.

Needs only Python's standard library.
"""
import argparse
import collections
import re
import subprocess


def profile(binary, args):
    """One `pth bench --profile` run: (wall ms, {node: (kind, ms per run)})."""
    command = [binary, "bench", "--model", args.model, "--threads", str(args.threads), "--batch", str(args.batch),
               "--runs", str(args.runs), "--warmup", "1", "--profile"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    wall = float(re.search(r"([0-9.]+) ms/batch", out).group(1))
    nodes = {}
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("node ")) + 1
    for line in lines[start:]:
        if line.startswith("total"):
            break
        tokens = line.split()
        # name, kind (one or more words), output shape, ms/run, share%, [GFLOP/s]
        share = next(i for i, token in enumerate(tokens) if token.endswith("%"))
        nodes[tokens[0]] = (" ".join(tokens[1:share - 2]), float(tokens[share - 1]))
    return wall, nodes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--model", default="resnet50")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--top", type=int, default=15, help="kinds of node to list")
    args = parser.parse_args()

    walls = {args.before: float("inf"), args.after: float("inf")}
    fastest = {args.before: {}, args.after: {}}
    kinds = {}
    for _ in range(args.rounds):
        for binary in (args.before, args.after):
            wall, nodes = profile(binary, args)
            walls[binary] = min(walls[binary], wall)
            for name, (kind, ms) in nodes.items():
                fastest[binary][name] = min(fastest[binary].get(name, float("inf")), ms)
                kinds.setdefault(name, kind)

    before, after = fastest[args.before], fastest[args.after]
    print(f"{args.model} batch {args.batch}, {args.threads} thread(s), minima over {args.rounds} alternated rounds")
    print(f"wall: before {walls[args.before]:.2f} ms, after {walls[args.after]:.2f} ms, "
          f"after / before {walls[args.after] / walls[args.before]:.3f}")
    total_before, total_after = sum(before.values()), sum(after.values())
    print(f"sum of per-node minima: before {total_before:.2f} ms, after {total_after:.2f} ms, "
          f"after / before {total_after / total_before:.3f}")
    by_kind = collections.defaultdict(lambda: [0.0, 0.0])
    for name in set(before) | set(after):
        by_kind[kinds[name]][0] += before.get(name, 0.0)
        by_kind[kinds[name]][1] += after.get(name, 0.0)
    print(f"{'kind':28} {'before ms':>10} {'after ms':>10} {'after / before':>15}")
    for kind, (b, a) in sorted(by_kind.items(), key=lambda item: -max(item[1]))[:args.top]:
        ratio = f"{a / b:.3f}" if b > 0 else "new"
        print(f"{kind:28} {b:10.2f} {a:10.2f} {ratio:>15}")


if __name__ == "__main__":
    main()
