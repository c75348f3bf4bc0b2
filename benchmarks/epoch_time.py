"""Seconds per epoch of `runner run` beside a plain Lightning script and a plain PyTorch loop.

All three do the same work, from benchmarks/cifar_shaped.yaml: runner's simple_cnn on generated
CIFAR-shaped images in memory (uint8 3x32x32, 10 classes, 4096 train, 1024 val, batch 128),
batches augmented whole by runner's batched pipeline (random_crop 32 padding 4, hflip,
normalize), AdamW with a per-step cosine schedule, validation every epoch. `runner run` reports
each epoch's wall seconds (training + validation) in metrics.csv's `seconds` column; the two
hand-written versions are timed over the same span. Each run is a fresh process with the same
thread count (OMP_NUM_THREADS and torch.set_num_threads); its first epoch is a warm-up, left out.
Runs repeat in rotating order (--rounds); the figure is the median epoch. The target (runner
within 5% of plain PyTorch) is reported, not enforced. Run from the repo root (or `make bench`):
    .venv/bin/python benchmarks/epoch_time.py [--rounds N] [--quick]
"""

import argparse
import csv
import inspect
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from runner.backends.lightning.augment import build_pipeline
from runner.backends.lightning.networks import SimpleCNN
from runner.data.arrays import load_arrays
from runner.recipe.stages import compile_file

TARGET = 1.05  # runner's epoch at most 5% longer than plain PyTorch's

RECIPE = Path(__file__).with_name("cifar_shaped.yaml")


def two_args(pipeline):
    """runner's pipeline as (x_uint8, y) -> (x, target), from either form: that, or (x) -> x."""
    new = len(inspect.signature(pipeline).parameters) >= 2
    return pipeline if new else lambda x, y: (pipeline(x), y)


def setup(program, arrays, device):
    torch.manual_seed(program.seed)
    net = SimpleCNN(3, program.num_classes).to(device)
    optim, batch = program.optim, program.data.batch_size
    opt = torch.optim.AdamW(net.parameters(), lr=optim.lr, weight_decay=optim.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, program.lr)
    train = DataLoader(
        TensorDataset(torch.from_numpy(arrays.x_train), torch.from_numpy(arrays.y_train)),
        batch_size=batch,
        shuffle=True,
        drop_last=True,
        generator=torch.Generator().manual_seed(program.seed),
    )
    val = DataLoader(TensorDataset(torch.from_numpy(arrays.x_val), torch.from_numpy(arrays.y_val)), batch_size=batch)
    return (net, opt, sched, train, val, *(two_args(build_pipeline(program, s)) for s in ("train", "eval")))


def plain_pytorch(program, arrays, device, epochs):
    net, opt, sched, train, val, train_pipe, eval_pipe = setup(program, arrays, device)
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        net.train()
        for x, y in train:
            x, target = train_pipe(x.to(device), y.to(device))
            loss = F.cross_entropy(net(x), target)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        net.eval()
        correct = 0
        with torch.no_grad():
            for x, y in val:
                x, y = x.to(device), y.to(device)
                correct += (net(eval_pipe(x, y)[0]).argmax(1) == y).sum().item()  # .item() waits for the device
        seconds.append(time.perf_counter() - start)
    return seconds, correct / len(val.dataset)


def plain_lightning(program, arrays, device, epochs):
    import lightning.pytorch as pl

    logging.getLogger("lightning.pytorch").setLevel(logging.WARNING)  # no banner or tips
    warnings.filterwarnings("ignore", module="lightning")
    net, opt, sched, train, val, train_pipe, eval_pipe = setup(program, arrays, device)

    class Module(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = net

        def training_step(self, batch, batch_idx):
            x, target = train_pipe(*batch)
            loss = F.cross_entropy(self.net(x), target)
            self.log("train_loss", loss, on_step=False, on_epoch=True)
            return loss

        def validation_step(self, batch, batch_idx):
            x, y = batch
            acc = (self.net(eval_pipe(x, y)[0]).argmax(1) == y).float().mean()
            self.log("val_acc", acc)

        def configure_optimizers(self):
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}

    class EpochTimer(pl.Callback):  # the same span as runner's `seconds`
        seconds, started = [], 0.0

        def on_train_epoch_start(self, trainer, module):
            self.started = time.perf_counter()

        def on_train_epoch_end(self, trainer, module):
            self.seconds.append(time.perf_counter() - self.started)

    timer = EpochTimer()
    trainer = pl.Trainer(
        accelerator="gpu" if device.type == "cuda" else "cpu",
        devices=1,
        max_epochs=epochs,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=[timer],
    )
    trainer.fit(Module(), train, val)
    return timer.seconds, float(trainer.callback_metrics["val_acc"])


def child(cmd, threads):
    """stdout lines of a fresh process; every run gets one, with the same thread count."""
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": str(threads)})
    if proc.returncode != 0:
        sys.exit(f"FAILED (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stdout}{proc.stderr[-3000:]}")
    return proc.stdout.splitlines()


def runner_run(overrides, threads, tmp):
    out = child([sys.executable, "-m", "runner", "run", str(RECIPE), *overrides, f"log.dir={tmp}"], threads)
    rows = list(csv.DictReader((Path(out[-1].removeprefix("run dir: ")) / "metrics.csv").open()))
    return [float(r["seconds"]) for r in rows], float(rows[-1]["val_acc"])


def script_run(which, args):
    """A hand-written version in a fresh process of this script: (epoch seconds, val_acc)."""
    return json.loads(
        child(
            [
                sys.executable,
                __file__,
                "--only",
                which,
                "--train",
                str(args.train),
                "--epochs",
                str(args.epochs),
                "--threads",
                str(args.threads),
                "--device",
                args.device,
            ],
            args.threads,
        )[-1]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4, help="epochs per run, the first a warm-up (default 4)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, in rotating order (default 2)")
    parser.add_argument("--train", type=int, default=4096, help="training images (default 4096)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="torch threads (default: CPU count)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.add_argument("--quick", action="store_true", help="1024 training images, 2 epochs, 1 round")
    parser.add_argument("--only", choices=["lightning", "pytorch"], help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()
    if args.quick:
        args.train, args.epochs, args.rounds = 1024, 2, 1
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (the first is a warm-up)")
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    overrides = [
        f"data.train_size={args.train}",
        f"data.val_size={args.train // 4}",
        f"train.epochs={args.epochs}",
        f"hardware.accelerator={'gpu' if device.type == 'cuda' else 'cpu'}",
    ]
    if args.only:
        program = compile_file(str(RECIPE), overrides)[1]
        run = plain_lightning if args.only == "lightning" else plain_pytorch
        return print(json.dumps(run(program, load_arrays(program.data), device, args.epochs)))
    gpu = f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else ""
    print(f"machine: {os.cpu_count()} CPUs, torch {torch.__version__}, {args.threads} threads, device {device}{gpu}")
    print(f"work: {RECIPE.name} (simple_cnn, adamw + cosine, batch 128) {' '.join(overrides)}")
    print(f"{args.rounds} round(s) of {args.epochs} epochs each, each run a fresh process; first epochs left out")

    names = ("runner run", "plain Lightning", "plain PyTorch")
    seconds, accuracy, loads = {n: [] for n in names}, {}, [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):  # rotating the order spreads other load on the machine over all three
            for name in names[r % 3 :] + names[: r % 3]:
                times, accuracy[name] = (
                    runner_run(overrides, args.threads, tmp)
                    if name == "runner run"
                    else script_run(name.split()[1].lower(), args)
                )
                seconds[name] += times[1:]
                loads.append(os.getloadavg()[0])

    base, least = statistics.median(seconds["plain PyTorch"]), min(seconds["plain PyTorch"])
    print(
        f"load average (1 min) before and after each run: {' '.join(f'{x:.1f}' for x in loads)}; "
        f"above {os.cpu_count()} means other work shared the CPUs; min is the least disturbed epoch"
    )
    print(f"{'':<16}{'s/epoch median':>15}{'vs PyTorch':>11}{'min':>6}{'vs PyTorch':>11}{'val_acc':>8}  epochs (s)")
    for name in names:
        med, low = statistics.median(seconds[name]), min(seconds[name])
        print(
            f"{name:<16}{med:>15.2f}{med / base:>10.3f}x{low:>6.2f}{low / least:>10.3f}x{accuracy[name]:>8.3f}  "
            + " ".join(f"{t:.2f}" for t in seconds[name])
        )
    ratio = statistics.median(seconds["runner run"]) / base
    print(
        f"target: runner within {TARGET - 1:.0%} of plain PyTorch (medians): "
        f"{'PASS' if ratio <= TARGET else 'MISS'} ({ratio - 1:+.1%})"
    )


if __name__ == "__main__":
    main()
