"""The Paddle backend: compiled Program -> paddle.Model(network).prepare(optimizer, loss,
metrics, amp_configs).fit(...) -> the same run directory as the Lightning backend."""

import json
import os
import sys
from pathlib import Path

import paddle

from runner.backends.paddle import checkpoints
from runner.backends.paddle.data import prepare, ranks
from runner.backends.paddle.guards import guards
from runner.backends.paddle.model import build_model, place, seed_everything
from runner.backends.paddle.recorder import OptimizerStepLR, Recorder, StopAtEpochEnd
from runner.data.identity import identity
from runner.recipe.errors import RunFailed
from runner.recipe.numbers import per_process_batch
from runner.run import epoch_log, rundir
from runner.run.interrupts import StopRequest, stopped_message


def execute(recipe, program, dry_run: bool = False, resume: Path | None = None) -> int:
    r = recipe.data
    place(r["hardware"])
    seed_everything(r["seed"])
    if dry_run:
        from runner.backends.paddle.dryrun import dry_run as run_dry

        return run_dry(recipe, program)
    if ranks()[1] > 1:  # started by paddle.distributed.launch: this is one of its processes
        paddle.distributed.init_parallel_env()
        return train(recipe, program, resume)
    spawn = processes(r["hardware"])
    if spawn == 1:
        return train(recipe, program, resume)
    # Several devices on this machine: check the data (fetching it once), make the run directory,
    # then start one process per device; rank 0 writes the run's files.
    per_process_batch(r["data"]["batch_size"], spawn)
    prepare(program, r["data"]["batch_size"] // spawn)
    path = resume or rundir.open_for_rank(recipe, identity(recipe.data["data"]))
    print(f"run dir: {path}", flush=True)
    backend = "nccl" if paddle.get_device().startswith("gpu") else "gloo"
    os.environ.setdefault("GLOG_minloglevel", "2")  # the workers' C++ start-up logging, per process
    try:
        paddle.distributed.spawn(_worker, args=(recipe, program, resume, path), nprocs=spawn, backend=backend)
    except Exception as e:  # spawn re-raises a worker's failure as a plain Exception holding its traceback
        raise RunFailed(f"a training process failed: {_cause(str(e))}") from None
    summary = json.loads((path / "summary.json").read_text())
    _report(summary, path)
    return 0


def processes(hw: dict) -> int:
    """Processes per node for the recipe's devices: `auto` is every visible GPU, or one CPU process."""
    devices = hw["devices"]
    if devices == "auto":
        devices = paddle.device.cuda.device_count() if paddle.get_device().startswith("gpu") else 1
    return max(devices, 1)


def _worker(recipe, program, resume, path):
    paddle.distributed.init_parallel_env()
    place(recipe.data["hardware"])
    seed_everything(recipe.data["seed"])
    train(recipe, program, resume, path)


def _cause(text: str) -> str:
    """The last line of a worker's traceback: the exception and its message."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].split(": ", 1)[-1] if lines else text


def train(recipe, program, resume: Path | None, path: Path | None = None) -> int:
    """Fit in this process (one of several when `path` was made by the parent); rank 0 writes."""
    r = recipe.data
    rank, world = ranks()
    # Data first, so a missing dataset leaves no run directory behind.
    data = prepare(program, per_process_batch(r["data"]["batch_size"], world))
    model = build_model(recipe, data.program, announce=rank == 0)
    state, restored = checkpoints.restore(model, resume) if resume else (None, None)
    start = state["epoch"] if state else 0
    data.train.epoch = start  # continue the seeded data order
    announce = rank == 0 and path is None
    path = path or resume or rundir.open_for_rank(recipe, identity(recipe.data["data"]))
    if announce:
        print(f"run dir: {path}", flush=True)
    if rank == 0 and resume:
        print(f"resuming from {restored} after epoch {start}", flush=True)
    if rank == 0 and resume:
        epoch_log.drop_from(path / "metrics.csv", start)  # rows of an epoch cut short are written again
    recorder = Recorder(path, r, state, echo=rank == 0, rank=rank)
    loop = r["train"]
    with StopRequest() as stop:
        try:
            model.fit(
                data.train,
                data.val,
                epochs=loop["epochs"] - start,
                eval_freq=loop["val_every"],
                verbose=0,
                accumulate_grad_batches=loop["accumulate"],
                callbacks=[
                    recorder,
                    OptimizerStepLR(loop["accumulate"], len(data.train)),
                    *guards(r, path),
                    StopAtEpochEnd(stop),
                ],
            )
        except KeyboardInterrupt:
            stop.requested = True
    if stop.requested:
        print(stopped_message(path), file=sys.stderr)
        return 130
    if rank:
        return 0
    summary = _summary(recorder.state, path)
    (path / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    if announce:
        _report(summary, path)
    return 0


def _report(summary: dict, path: Path) -> None:
    shown = {k: summary.get(k) for k in ("val_acc", "best")}
    print(", ".join(f"{k} {v:.4f}" for k, v in shown.items() if v is not None) or "no validation ran")
    print(f"run dir: {path}")


def _summary(state: dict, path: Path) -> dict:
    last = state.get("last") or {}
    metrics = {k: last[k] for k in ("train_loss", "train_acc", "val_loss", "val_acc") if last.get(k) is not None}
    return {
        **metrics,
        "epochs": state["epoch"],
        "steps": state["step"],
        "best": state["best"],
        "best_checkpoint": state["best_checkpoint"],
        "last_checkpoint": str(path / "checkpoints" / "last.pdparams"),
    }
