"""`runner predict` on an exported ONNX file beside PyTorch eager, on the same images and model: a
ResNet-18 (CIFAR-sized, 32x32, trained one short epoch on synthetic images) exported by `runner
export`, then N PNG files predicted by both. Both sides decode and preprocess the files the same
way (runner.deploy's numpy and PIL path) and run batches of 32; what differs is the runtime,
onnxruntime or torch's eager modules. Then the time from `runner predict model.onnx image.png` to
its answer, a whole process, beside `python -c "import torch"` alone: what a user waits for
before torch has done anything. Target: the ONNX path at least as fast as eager on CPU; predict's
answer before torch's import finishes. Reported, not enforced. Run from the repo root (or
`make bench`):  .venv/bin/python benchmarks/predict_speed.py [--images N] [--rounds N]
"""

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from runner import backends
from runner.cli import main
from runner.deploy.predict import predictions
from runner.deploy.session import Model

ROOT = Path(__file__).resolve().parent.parent
SMOKE = ROOT / "recipes" / "smoke" / "synthetic.yaml"
RESNET = ["model.backbone=resnet18", "model.pretrained=false", "data.image_size=32", "train.epochs=1"]
QUIET = ["log.report=false", "log.tensorboard=false", "data.train_size=256", "data.val_size=64"]
BATCH = 32


def trained(folder: Path) -> Path:
    out = io.StringIO()
    with contextlib.chdir(folder), contextlib.redirect_stdout(out):
        assert main(["run", str(SMOKE), "name=bench", *RESNET, *QUIET]) == 0
        run = folder / out.getvalue().strip().splitlines()[-1].removeprefix("run dir: ")
        assert main(["export", str(run)]) == 0
    return run


def images(folder: Path, n: int) -> list[Path]:
    rng, files = np.random.default_rng(0), []
    folder.mkdir()
    for i in range(n):
        files.append(folder / f"{i:04d}.png")
        Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(files[-1])
    return files


def onnx_rate(model: Model, files: list[Path]) -> float:
    start = time.perf_counter()
    answered = sum(1 for _ in predictions(model, files, BATCH, 5))
    return answered / (time.perf_counter() - start)


def network_rates(network: torch.nn.Module, model: Model, inputs: np.ndarray) -> tuple[float, float]:
    """images/s of the networks alone on the same prepared batches: onnxruntime, torch eager."""
    batches = [inputs[i : i + BATCH] for i in range(0, len(inputs), BATCH)]
    start = time.perf_counter()
    for batch in batches:
        model.run(batch)
    onnx = len(inputs) / (time.perf_counter() - start)
    start = time.perf_counter()
    with torch.no_grad():
        for batch in batches:
            torch.softmax(network(torch.from_numpy(batch)), 1).numpy()
    return onnx, len(inputs) / (time.perf_counter() - start)


def seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPU cores, load {os.getloadavg()[0]:.2f}; torch threads {torch.get_num_threads()}")
    with tempfile.TemporaryDirectory() as tmp:
        run = trained(Path(tmp))
        files = images(Path(tmp) / "images", args.images)
        model = Model(run / "export/model.onnx")
        network = backends.load_for_inference(run).network.net.eval()
        inputs = np.stack([model.prepare(f)[0] for f in files])
        network_rates(network, model, inputs[:64]), onnx_rate(model, files[:64])  # warm-up
        rates = [network_rates(network, model, inputs) for _ in range(args.rounds)]
        onnx, eager = (statistics.median(r[k] for r in rates) for k in (0, 1))
        whole = statistics.median(onnx_rate(model, files) for _ in range(args.rounds))
        print(f"ResNet-18 32x32, {args.images} PNG files, batches of {BATCH}, median of {args.rounds}:")
        print(f"  network alone, same inputs: onnxruntime {onnx:6.0f} images/s, PyTorch eager {eager:6.0f} images/s")
        print(f"    -> ONNX {onnx / eager:.2f}x eager")
        print(f"  runner predict, files to answers (decoding in threads): {whole:6.0f} images/s")
        runner = [sys.executable, "-m", "runner", "predict", str(run / "export/model.onnx"), str(files[0])]
        seconds(runner)  # warm the file cache
        answer = statistics.median(seconds(runner) for _ in range(args.rounds))
        torch_import = statistics.median(seconds([sys.executable, "-c", "import torch"]) for _ in range(args.rounds))
        print(f"  `runner predict model.onnx image.png` answered in {answer:.2f} s")
        print(f"  `python -c 'import torch'` alone             {torch_import:.2f} s")


if __name__ == "__main__":
    main_()
