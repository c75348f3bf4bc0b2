"""The Paddle backend's training: compiled Program -> paddle.Model(network).prepare(optimizer, loss,
metrics, amp_configs).fit(...), in the run directory the run's Lifecycle opens (the same layout
as the Lightning backend's); returns the run's Outcome."""

import os
import signal
from pathlib import Path

import paddle

from runner.backends.paddle import checkpoints, distributed
from runner.backends.paddle.data import prepare, ranks
from runner.backends.paddle.guards import guards
from runner.backends.paddle.model import build_model, place, seed_everything
from runner.backends.paddle.recorder import Gated, OptimizerStepLR, Recorder, StopAtEpochEnd
from runner.backends.paddle.trackers import Trackers
from runner.recipe import reading
from runner.recipe.compile import Program
from runner.recipe.errors import RunFailed
from runner.recipe.numbers import per_process_batch
from runner.run import layout, peers, trackers
from runner.run.interrupts import Stopped, StopRequest
from runner.run.lifecycle import Lifecycle, Outcome, Pruned


def train(program: Program, run: Lifecycle) -> Outcome:
    place(program.hardware)
    seed_everything(program.seed)
    if ranks()[1] > 1:  # started by paddle.distributed.launch: this is one of its processes
        paddle.distributed.init_parallel_env()
        return fit(program, run)
    spawn = processes(program)
    if spawn == 1:
        return fit(program, run)
    # Several devices on this machine: check the data (fetching it once), make the run directory,
    # then start one process per device; rank 0 writes the run's files.
    per_process_batch(program.data.batch_size, spawn)
    prepare(program, program.data.batch_size // spawn)
    path = run.open(0)
    backend = "nccl" if paddle.get_device().startswith("gpu") else "gloo"
    os.environ.setdefault("GLOG_minloglevel", "2")  # the workers' C++ start-up logging, per process
    with StopRequest() as stop:
        try:
            context = paddle.distributed.spawn(
                _worker, args=(program, run.worker(), path), nprocs=spawn, backend=backend, join=False
            )
            _join(context)
        except Exception as e:  # spawn re-raises a worker's failure as a plain Exception holding its traceback
            raise RunFailed(f"a training process failed: {_cause(str(e))}") from None
    summary = path / layout.SUMMARY
    if not summary.is_file():  # the workers stopped on request
        return run.stopped(stop.signum or signal.SIGINT)
    summary = reading.read_json(summary)
    run.conclude(summary)
    return Outcome(path, summary)


def processes(program: Program) -> int:
    """Processes per node for the recipe's devices: `auto` is every visible GPU, or one CPU process."""
    devices = program.hardware.devices
    if devices == "auto":
        devices = paddle.device.cuda.device_count() if paddle.get_device().startswith("gpu") else 1
    return max(devices, 1)


def _worker(program: Program, run: Lifecycle, path: Path):
    paddle.distributed.init_parallel_env()
    place(program.hardware)
    seed_everything(program.seed)
    fit(program, run, path)


def _join(context) -> None:
    """Wait for the workers; a signal that stops this process now is passed on to each of them
    (a terminal's Ctrl-C reaches them itself, as one process group)."""
    while True:
        try:
            if context.join():
                return
        except Stopped as stop:
            for process in context.processes:
                if process.is_alive():
                    os.kill(process.pid, stop.signum)


def _cause(text: str) -> str:
    """The last line of a worker's traceback: the exception and its message."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].split(": ", 1)[-1] if lines else text


def fit(program: Program, run: Lifecycle, path: Path | None = None) -> Outcome:
    """Fit in this process (one of several when `path` was made by the parent); rank 0 writes."""
    rank, world = ranks()
    # Data first, so a missing dataset leaves no run directory behind.
    data = prepare(program, per_process_batch(program.data.batch_size, world))
    program = data.program
    model = build_model(program, announce=rank == 0)
    state, restored = checkpoints.restore(model, run.resume, run.trust) if run.resume else (None, None)
    start = state["epoch"] if state else 0
    data.train.epoch = start  # continue the seeded data order
    share = distributed.share(rank, world, path)
    path = run.open(rank, restored, start, classes=data.classes, path=path, skipped=data.skipped, share=share)
    if start >= program.loop.epochs:
        return run.nothing_left(start, _summary(state, program) if rank == 0 else None)
    tracked = Trackers(program, path, trackers.params(run.recipe), rank)
    recorder = Recorder(path, program, state, echo=rank == 0, rank=rank, trackers=tracked, watch=run.watch)
    loop = program.loop
    callbacks = [tracked, recorder, OptimizerStepLR(loop.accumulate, len(data.train)), *guards(program, path)]
    with StopRequest() as stop:
        try:
            model.fit(
                data.train,
                Gated(data.val, recorder),
                epochs=loop.epochs - start,
                eval_freq=1,  # the Recorder's cadence gates each validation
                verbose=0,
                accumulate_grad_batches=loop.accumulate,
                callbacks=[*callbacks, StopAtEpochEnd(stop)],
            )
        except Stopped:
            pass  # the checkpoints written so far stand
        except BaseException as e:
            tracked.end("KILLED" if isinstance(e, Pruned) else "FAILED")
            message = peers.lost(e, rank, world)
            if message:
                raise peers.PeerLost(f"{message}; {peers.advice(path)}") from None
            raise
    tracked.end("KILLED" if stop.requested else "FINISHED")
    if stop.requested:
        return run.stopped(stop.signum)
    return run.finish(_summary(recorder.state, program) if rank == 0 else None)


def _summary(state: dict, program: Program) -> dict:
    last = state.get("last") or {}
    metrics = {k: last[k] for k in program.task.metric_names if last.get(k) is not None}
    return {
        **metrics,
        "epochs": state["epoch"],
        "steps": state["step"],
        "best": state["best"],
        "best_checkpoint": state["best_checkpoint"],
        "last_checkpoint": layout.LAST[layout.PADDLE],
    }
