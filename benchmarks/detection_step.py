"""Seconds per epoch of a detection recipe through `runner run` beside a hand-written torchvision
training loop on the same model and data, and the images per second of runner's data path alone
beside the training's.

Both train recipes/quickstart_detection.yaml's network (the tiny FCOS detector) on the same
generated shapes (64x64, `--images` training images, batch 16), hflip then normalize, AdamW with
a per-step cosine schedule, COCO mAP on the validation images every epoch. The hand-written loop
reads the same files with PIL, flips with torchvision.transforms.v2 (boxes as tv_tensors) and
scores with torchmetrics, as a user of torchvision would write it. Each runs in a fresh process
with the same thread count; the first epoch is a warm-up, left out; the figure is the median
epoch. The targets (runner within 5% of the hand-written loop; its loader at least 3x faster than
training) are reported, not enforced. Run from the repo root (or `make bench`):
    .venv/bin/python benchmarks/detection_step.py [--images N] [--epochs N]
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET, LOADER_TARGET = 1.05, 3.0
RECIPE = Path(__file__).resolve().parent.parent / "recipes/quickstart_detection.yaml"


def overrides(images: int, epochs: int) -> list[str]:
    return [f"data.train_size={images}", "data.val_size=64", f"train.epochs={epochs}", "log.report=false"]


def hand_written(images: int, epochs: int) -> list[float]:
    """Seconds of each epoch of a plain PyTorch loop over the same files."""
    import torch
    from PIL import Image
    from torch.utils.data import DataLoader
    from torchmetrics.detection import MeanAveragePrecision
    from torchvision import tv_tensors
    from torchvision.transforms import v2

    from runner.backends.lightning.dense_networks import detector
    from runner.data import dense
    from runner.recipe.stages import compile_file

    program = compile_file(str(RECIPE), overrides(images, epochs))[1]
    found, program = dense.split(program)  # the shapes folder runner reads, written once
    torch.manual_seed(0)
    net = detector(program)
    mean, std = program.data.info.mean, program.data.info.std
    flip, normalize = v2.RandomHorizontalFlip(), v2.Normalize(mean, std)

    class Shapes(torch.utils.data.Dataset):
        def __init__(self, samples, train):
            self.samples, self.train = samples, train

        def __len__(self):
            return len(self.samples)

        def __getitem__(self, i):
            s = self.samples[i]
            image = v2.functional.to_image(Image.open(s.file).convert("RGB"))
            boxes = tv_tensors.BoundingBoxes(torch.from_numpy(s.boxes), format="XYXY", canvas_size=(s.height, s.width))
            if self.train:
                image, boxes = flip(image, boxes)
            image = normalize(v2.functional.to_dtype(image, torch.float32, scale=True))
            return image, {"boxes": boxes.as_subclass(torch.Tensor), "labels": torch.from_numpy(s.labels) + 1}

    def collate(batch):
        return tuple(zip(*batch))

    train = DataLoader(Shapes(found.train, True), 16, shuffle=True, drop_last=True, collate_fn=collate)
    val = DataLoader(Shapes(found.val, False), 16, collate_fn=collate)
    opt = torch.optim.AdamW(net.parameters(), lr=program.optim.lr, weight_decay=program.optim.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, program.lr)
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        net.train()
        for x, targets in train:
            loss = sum(net(list(x), list(targets)).values())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        net.eval()
        scores = MeanAveragePrecision(box_format="xyxy", backend="pycocotools")
        with torch.no_grad():
            for x, targets in val:
                scores.update(net(list(x)), list(targets))
        scores.compute()
        seconds.append(time.perf_counter() - start)
    return seconds


def loader_rate(images: int) -> float:
    """Training images per second of runner's own loader, with no model behind it."""
    from runner.backends.lightning.data import prepare
    from runner.recipe.stages import compile_file

    program = compile_file(str(RECIPE), overrides(images, 2))[1]
    data = prepare(program)
    count, start = 0, time.perf_counter()
    for epoch in range(2):
        data.train.sampler.set_epoch(epoch)
        for x, _ in data.train:
            count += len(x)
    return count / (time.perf_counter() - start)


def child(args: list[str], threads: int) -> list[str]:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"FAILED: {' '.join(args)}\n{proc.stdout}{proc.stderr[-3000:]}")
    return proc.stdout.splitlines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--part", choices=["hand", "loader"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part == "hand":
        print(json.dumps(hand_written(args.images, args.epochs)))
        return
    if args.part == "loader":
        print(json.dumps(loader_rate(args.images)))
        return
    threads = min(os.cpu_count() or 1, 4)
    me = [__file__, "--images", str(args.images), "--epochs", str(args.epochs)]
    with tempfile.TemporaryDirectory() as tmp:
        out = child(
            ["-m", "runner", "run", str(RECIPE), *overrides(args.images, args.epochs), f"log.dir={tmp}"], threads
        )
        rows = list(csv.DictReader((Path(out[-1].removeprefix("run dir: ")) / "metrics.csv").open()))
        runner_seconds = [float(r["seconds"]) for r in rows]
    hand_seconds = json.loads(child([*me, "--part", "hand"], threads)[-1])
    loader = json.loads(child([*me, "--part", "loader"], threads)[-1])
    ours, theirs = statistics.median(runner_seconds[1:]), statistics.median(hand_seconds[1:])
    training = args.images // 16 * 16 / ours
    print(f"detection epoch ({args.images} images of 64x64, tiny FCOS, {threads} threads, median of {args.epochs - 1})")
    print(f"  runner run             {ours:8.2f} s")
    print(f"  hand-written torchvision {theirs:6.2f} s")
    met = "met" if ours / theirs <= TARGET else "MISSED"
    print(f"  ratio                  {ours / theirs:8.3f}  (target <= {TARGET}: {met})")
    print(f"  loader alone           {loader:8.0f} images/s")
    print(f"  training               {training:8.0f} images/s (epoch incl. validation)")
    ratio = loader / training
    met = "met" if ratio >= LOADER_TARGET else "MISSED"
    print(f"  loader / training      {ratio:8.1f}x  (target >= {LOADER_TARGET}: {met})")


if __name__ == "__main__":
    main()
