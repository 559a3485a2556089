#!/usr/bin/env python3
"""Regenerates everything under fixtures/ from PyTorch, torchvision and PIL.

Run with python from a venv with tools/requirements.txt installed:
    python tools/make_fixtures.py [checkpoints|models|images ...]
With no arguments every group is regenerated. Output is deterministic; commit it.
CI and `swift test` never run this.
"""
import importlib
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

GROUPS = ["checkpoints", "models", "images", "kernels", "hostile", "classify", "zoo", "lite0", "norms", "finetuned", "embeddings", "shapes", "cli", "codecs", "transform_input"]


def main(argv):
    groups = argv or GROUPS
    for group in groups:
        if group not in GROUPS:
            sys.exit(f"unknown fixture group {group!r}; choose from {', '.join(GROUPS)}")
    for group in groups:
        module = importlib.import_module(f"fixtures.{group}")
        print(f"== {group}", flush=True)
        module.main(ROOT / "fixtures")


if __name__ == "__main__":
    main(sys.argv[1:])
