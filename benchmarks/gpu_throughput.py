"""Training images per second on one GPU: runner's Lightning and Paddle backends beside hand-tuned loops.

The work is benchmarks/resnet18_synthetic.yaml: ResNet-18 (CIFAR stem) on generated CIFAR-shaped
images (uint8 3x32x32, 10 classes, 50,000 train, 5,000 val, batch 256), random_crop 32 padding 4
+ hflip + normalize, AdamW with a per-step warm-up + cosine, bf16 mixed precision. Each
row runs both sides in this process, on the same images:
- lightning bf16, channels-last: runner.backends.train (what `runner run` calls) vs a hand-tuned
  PyTorch loop: images held on the GPU and cropped and flipped there in one gather, cudnn.benchmark
  on, torch.autocast(bf16), zero_grad(set_to_none=True), no sync inside an epoch;
- the same with hardware.compile: true, against the loop's network under torch.compile;
- paddle AMP O1 bf16: backend=paddle vs a hand-written paddle.Model(net).prepare(...,
  amp_configs=O1 bf16).fit(...) over batches held on the GPU.
A figure is training images per second of whole epochs (training, then validating the 5,000):
runner's from the `seconds` in its metrics.csv, the hand-written ones timed over the same span
with a device synchronize at its two ends only; the first epoch (warm-up, compilation) is left out.
The target, runner at least 0.9x the hand-tuned side, is reported, not enforced.

--quick checks the script end to end on the CPU (32 images of 8x8, float32, 2 epochs, no compile
row), as tests/test_gpu_benchmark.py does; without CUDA and without it, the script says a GPU is
needed and exits 2. Run from the repo root (or `make bench-gpu`):
    .venv/bin/python benchmarks/gpu_throughput.py [--epochs N] [--train N] [--quick]
"""

import argparse
import contextlib
import csv
import importlib.util
import io
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

from runner import backends
from runner.data.arrays import load_arrays
from runner.recipe.stages import compile_file
from runner.run import layout

RECIPE = Path(__file__).with_name("resnet18_synthetic.yaml")
TARGET = 0.9  # runner's images/s at least this fraction of the hand-tuned side's
QUICK = ["hardware.accelerator=cpu", "hardware.precision=32", "data.image_size=8", "augment.train.0.size=8"]
QUICK += ["data.train_size=32", "data.val_size=16", "data.batch_size=16", "train.epochs=2"]


def runner_side(overrides: list[str], tmp: str) -> tuple[float, float]:
    """(images/s, last val_acc) of runner's run of the recipe, from its metrics.csv."""
    recipe, program = compile_file(str(RECIPE), [*overrides, f"log.dir={tmp}"])
    with contextlib.redirect_stdout(io.StringIO()):  # its epoch lines; the table says what matters
        outcome = backends.train(recipe, program)
    rows = list(csv.DictReader((outcome.path / layout.METRICS).open()))[1:]
    return images(program) * len(rows) / sum(float(r["seconds"]) for r in rows), float(rows[-1]["val_acc"])


def images(program) -> int:  # per epoch: whole batches only, as both sides drop the last partial one
    return program.data.params["train_size"] // program.data.batch_size * program.data.batch_size


def held(program, arrays) -> tuple:
    """What both hand-written sides hold on the device, as NumPy: the training images padded once
    for the crop, and the scale and shift taking uint8 to (x / 255 - mean) / std in one multiply-add."""
    pad = program.augment.train[0].params["padding"]
    std, mean = np.array(program.data.info.std, np.float32), np.array(program.data.info.mean, np.float32)
    scale, shift = (1 / (255 * std)).reshape(1, -1, 1, 1), (-mean / std).reshape(1, -1, 1, 1)
    return np.pad(arrays.x_train, [(0, 0), (0, 0), (pad, pad), (pad, pad)]), scale, shift


def crop_flip(x, size: int, pad: int):
    """A random size x size window of each padded uint8 image, half of them mirrored, in one gather."""
    n, c, device = x.shape[0], x.shape[1], x.device
    span = torch.arange(size, device=device)
    rows = torch.randint(0, 2 * pad + 1, (n, 1), device=device) + span
    cols = torch.randint(0, 2 * pad + 1, (n, 1), device=device) + span
    cols = torch.where(torch.rand(n, 1, device=device) < 0.5, cols.flip(1), cols)
    image, channel = torch.arange(n, device=device), torch.arange(c, device=device)
    return x[image[:, None, None, None], channel[None, :, None, None], rows[:, None, :, None], cols[:, None, None, :]]


def torch_loop(program, arrays, epochs: int, compiled: bool) -> tuple[float, float]:
    """The hand-tuned PyTorch loop: (images/s over the epochs after the first, last val accuracy)."""
    device = torch.device("cuda" if program.hardware.accelerator == "gpu" else "cpu")
    torch.manual_seed(program.seed)
    net = torchvision.models.resnet18(num_classes=program.num_classes)
    net.conv1, net.maxpool = nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.Identity()  # the CIFAR stem
    net = net.to(device, memory_format=torch.channels_last)
    model = torch.compile(net) if compiled else net
    optim, batch = program.optim, program.data.batch_size
    betas, eps = (optim.settings["beta1"], optim.settings["beta2"]), optim.settings["eps"]
    opt = torch.optim.AdamW(net.parameters(), lr=optim.lr, betas=betas, eps=eps, weight_decay=optim.weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(opt, program.lr)
    size, pad = program.augment.train[0].params["size"], program.augment.train[0].params["padding"]
    x_train, scale, shift = (torch.from_numpy(a).to(device) for a in held(program, arrays))
    y_train, x_val, y_val = (torch.from_numpy(a).to(device) for a in (arrays.y_train, arrays.x_val, arrays.y_val))
    bf16 = torch.autocast(device.type, torch.bfloat16, enabled=program.hardware.precision == "bf16-mixed")

    def to_input(x):
        return (x.float() * scale + shift).contiguous(memory_format=torch.channels_last)

    seconds = []
    for _ in range(epochs):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        model.train()
        order = torch.randperm(len(y_train), device=device)
        for i in range(len(y_train) // batch):
            index = order[i * batch : (i + 1) * batch]
            with bf16:
                loss = F.cross_entropy(model(to_input(crop_flip(x_train[index], size, pad))), y_train[index])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            schedule.step()
        model.eval()
        with torch.no_grad(), bf16:
            hits = [(model(to_input(x)).argmax(1) == y).sum() for x, y in zip(x_val.split(batch), y_val.split(batch))]
        correct = sum(hits).item()  # waits for the device: the epoch's end
        seconds.append(time.perf_counter() - start)
    return images(program) * (epochs - 1) / sum(seconds[1:]), correct / len(y_val)


def paddle_model(program, arrays, epochs: int) -> tuple[float, float]:
    """A hand-written paddle.Model script: (images/s over the epochs after the first, last val_acc)."""
    import paddle

    gpu = program.hardware.accelerator == "gpu"
    paddle.set_device("gpu" if gpu else "cpu")
    paddle.seed(program.seed)
    net = paddle.vision.models.resnet18(num_classes=program.num_classes)
    net.conv1, net.maxpool = paddle.nn.Conv2D(3, 64, 3, 1, 1, bias_attr=False), paddle.nn.Identity()
    size, pad = program.augment.train[0].params["size"], program.augment.train[0].params["padding"]
    x_train, scale, shift = (paddle.to_tensor(a) for a in held(program, arrays))
    span, batch = paddle.arange(size, dtype="int64"), program.data.batch_size

    def crop_flip_paddle(x):  # crop_flip in paddle, on float32: take_along_axis has no uint8 kernel on GPUs
        n, c, h, w = x.shape
        top, left = paddle.randint(0, 2 * pad + 1, [n, 1, 1]), paddle.randint(0, 2 * pad + 1, [n, 1, 1])
        cols = paddle.where(paddle.rand([n, 1, 1]) < 0.5, size - 1 - span, span)
        index = ((top + span.reshape([1, size, 1])) * w + left + cols).reshape([n, 1, size * size])
        x = paddle.take_along_axis(x.reshape([n, c, h * w]), index.expand([n, c, size * size]), 2)
        return x.reshape([n, c, size, size])

    class Batches:  # what fit() iterates: augmented batches of images held on the device
        def __init__(self, x, y, train):
            self.x, self.y, self.train = x, paddle.to_tensor(y), train

        def __len__(self):
            return len(self.y) // batch if self.train else -(-len(self.y) // batch)

        def __iter__(self):
            order = paddle.randperm(len(self.y)) if self.train else paddle.arange(len(self.y))
            for i in range(len(self)):
                x = paddle.gather(self.x, order[i * batch : (i + 1) * batch]).astype("float32")  # see crop_flip_paddle
                x = (crop_flip_paddle(x) if self.train else x) * scale + shift
                yield x, paddle.gather(self.y, order[i * batch : (i + 1) * batch])

    def now():  # once the device has done what it was given
        if gpu:
            paddle.device.synchronize()
        return time.perf_counter()

    class EpochTimer(paddle.callbacks.Callback):  # the span of runner's `seconds`
        seconds, started, acc = [], 0.0, 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self.started = now()

        def on_eval_end(self, logs=None):
            self.seconds.append(now() - self.started)
            self.acc = float(logs["acc"])

    optim, settings = program.optim, program.optim.settings
    schedule = paddle.optimizer.lr.LambdaDecay(optim.lr, program.lr)  # stepped per batch by fit()
    adam = {"beta1": settings["beta1"], "beta2": settings["beta2"], "epsilon": settings["eps"]}
    opt = paddle.optimizer.AdamW(schedule, parameters=net.parameters(), weight_decay=optim.weight_decay, **adam)
    model = paddle.Model(net)
    amp = {"level": "O1", "dtype": "bfloat16"} if gpu and program.hardware.precision == "bf16-mixed" else None
    model.prepare(opt, paddle.nn.CrossEntropyLoss(), paddle.metric.Accuracy(), amp_configs=amp)
    timer = EpochTimer()
    val = Batches(paddle.to_tensor(arrays.x_val), arrays.y_val, False)
    model.fit(Batches(x_train, arrays.y_train, True), val, epochs=epochs, eval_freq=1, verbose=0, callbacks=[timer])
    return images(program) * (epochs - 1) / sum(timer.seconds[1:]), timer.acc


def paddle_missing(gpu: bool) -> str | None:
    """Why the paddle row cannot run here, or None."""
    if importlib.util.find_spec("paddle") is None:
        return "paddlepaddle is not installed"
    import paddle

    cuda = paddle.device.is_compiled_with_cuda() and paddle.device.cuda.device_count()
    return "this paddlepaddle has no CUDA (paddlepaddle-gpu has it)" if gpu and not cuda else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4, help="epochs per run, the first a warm-up (default 4)")
    parser.add_argument("--train", type=int, default=50_000, help="training images (default 50000)")
    parser.add_argument("--quick", action="store_true", help="check the script on the CPU with tiny sizes")
    args = parser.parse_args()
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (the first is a warm-up)")
    gpu = torch.cuda.is_available() and not args.quick
    if not gpu and not args.quick:
        print("gpu_throughput.py times a CUDA GPU, and torch sees none here; --quick checks the script on the CPU")
        return 2
    base = QUICK if args.quick else [f"data.train_size={args.train}", f"train.epochs={args.epochs}"]
    program, on_paddle = (compile_file(str(RECIPE), [*base, *more])[1] for more in ([], ["backend=paddle"]))
    arrays, epochs, data = load_arrays(program.data), program.loop.epochs, program.data
    bits = {"bf16-mixed": "bf16", "32": "fp32"}[program.hardware.precision]
    print(f"device: {torch.cuda.get_device_name() if gpu else 'CPU (--quick: a check, not figures; no compile row)'}")
    print(
        f"work: {RECIPE.name} {' '.join(base)}: {images(program):,} training images per epoch in batches of "
        f"{data.batch_size}, then {data.params['val_size']:,} validated; {epochs} epochs per run, the first left out"
    )
    eager, compiled = (partial(torch_loop, program, arrays, epochs, c) for c in (False, True))
    rows = [(f"lightning {bits}, channels-last", [], eager)]
    if gpu:  # inductor's CPU compilation of ResNet-18 would take minutes of a quick check
        rows.append((f"lightning {bits}, channels-last, compile", ["hardware.compile=true"], compiled))
    paddle_row = partial(paddle_model, on_paddle, arrays, epochs)
    rows.append((f"paddle AMP O1 {bits}" if gpu else f"paddle {bits}", ["backend=paddle"], paddle_row))
    missing = paddle_missing(gpu)
    print(f"{'':<40}{'runner img/s':>14}{'hand-tuned img/s':>18}{'runner/hand':>13}  val_acc runner, hand")
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, overrides, hand in rows:
            if hand is paddle_row and missing:
                print(f"{name:<40}skipped: {missing}")
                continue
            ours, our_acc = runner_side([*base, *overrides], tmp)
            cudnn = torch.backends.cudnn.benchmark
            torch.backends.cudnn.benchmark = True  # for the hand-tuned side alone: runner keeps its own
            theirs, their_acc = hand()
            torch.backends.cudnn.benchmark = cudnn
            ratios.append(ours / theirs)
            print(f"{name:<40}{ours:>14,.0f}{theirs:>18,.0f}{ratios[-1]:>12.2f}x  {our_acc:.3f}, {their_acc:.3f}")
    met = "met" if ratios and all(r >= TARGET for r in ratios) else "NOT met"
    print(f"target: runner >= {TARGET}x the hand-tuned side in every row: {met}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
