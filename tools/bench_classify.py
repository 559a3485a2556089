#!/usr/bin/env python3
"""Images per second for a whole classify job: `pth classify` beside the same job in PyTorch, same run.

    swift build -c release
    python tools/bench_classify.py [--pth .build/release/pth] [--images 240] [--batch 8]
        [--threads 2] [--workers 2]
    (python from a venv with tools/requirements.txt installed)

Makes `--images` JPEGs (quality 90) from the fixture photos with PIL — each a different crop and scale
of one of them, 300 to 640 pixels wide, so decoding and resizing cost what ordinary photos cost — in one
class folder of a temporary ImageFolder tree. Then times, end to end from loading the weights
(fixtures/models/resnet50.pth) to the last top-5 written:
  swift-pth  `pth classify DIR --weights … --batch-size B --threads T --workers W --format jsonl --output F`
             (the process's wall-clock time, start-up included);
  PyTorch    ImageFolder + DataLoader(batch B, num_workers W, the ResNet50 IMAGENET1K_V1 preset transforms),
             torchvision's resnet50 with the same weights, torch.set_num_threads(T), no_grad, top-5 + softmax.
Both jobs' top-1 labels are compared, as a check that the same work was done.
"""
import argparse
import json
import pathlib
import random
import subprocess
import tempfile
import time

import torch
from PIL import Image
from torchvision import datasets
from torchvision import models as tvm

ROOT = pathlib.Path(__file__).resolve().parent.parent
PHOTOS = sorted((ROOT / "fixtures" / "images").glob("*"))
WEIGHTS = ROOT / "fixtures" / "models" / "resnet50.pth"


def make_images(folder, count):
    """`count` JPEGs, each a random crop of a fixture photo scaled to 300-640 pixels wide."""
    rng = random.Random(20240607)
    sources = [Image.open(p).convert("RGB") for p in PHOTOS]
    target = folder / "photos"
    target.mkdir(parents=True)
    for i in range(count):
        image = sources[i % len(sources)]
        w, h = image.size
        cw, ch = int(w * rng.uniform(0.6, 1.0)), int(h * rng.uniform(0.6, 1.0))
        x, y = rng.randrange(w - cw + 1), rng.randrange(h - ch + 1)
        width = rng.randrange(300, 641)
        crop = image.crop((x, y, x + cw, y + ch))
        crop.resize((width, max(1, round(ch * width / cw))), Image.BICUBIC).save(target / f"img{i:04d}.jpg", quality=90)


def run_pth(pth, folder, args):
    output = folder.parent / "pth.jsonl"
    command = [str(pth), "classify", str(folder), "--weights", str(WEIGHTS), "--batch-size", str(args.batch),
               "--threads", str(args.threads), "--workers", str(args.workers), "--format", "jsonl", "--output", str(output)]
    start = time.perf_counter()
    subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    top1 = {}
    for line in output.read_text().splitlines():
        record = json.loads(line)
        top1[pathlib.Path(record["path"]).name] = record["top"][0]["index"]
    return seconds, top1


def run_torch(folder, args):
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    weights = tvm.ResNet50_Weights.IMAGENET1K_V1
    model = tvm.resnet50()
    model.load_state_dict(torch.load(WEIGHTS, weights_only=True))
    model.eval()
    dataset = datasets.ImageFolder(str(folder), transform=weights.transforms())
    loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch, num_workers=args.workers)
    top1 = []
    with torch.no_grad():
        for images, _ in loader:
            probs, indices = torch.softmax(model(images), dim=1).topk(5, dim=1)
            top1 += indices[:, 0].tolist()
    seconds = time.perf_counter() - start
    return seconds, {pathlib.Path(p).name: i for (p, _), i in zip(dataset.samples, top1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pth", default=str(ROOT / ".build" / "release" / "pth"))
    parser.add_argument("--images", type=int, default=240)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-classify-") as scratch:
        folder = pathlib.Path(scratch) / "images"
        make_images(folder, args.images)
        pth_seconds, pth_top1 = run_pth(args.pth, folder, args)
        torch_seconds, torch_top1 = run_torch(folder, args)
    agree = sum(pth_top1.get(name) == index for name, index in torch_top1.items())
    setting = f"resnet50 batch {args.batch} threads {args.threads} workers {args.workers}, {args.images} JPEGs"
    print(f"{setting}: swift-pth {args.images / pth_seconds:.1f} img/s ({pth_seconds:.1f} s), "
          f"PyTorch {torch.__version__} {args.images / torch_seconds:.1f} img/s ({torch_seconds:.1f} s); "
          f"top-1 agrees on {agree}/{len(torch_top1)}")


if __name__ == "__main__":
    main()
