"""The Lightning backend's training: compiled Program -> data, RecipeModule and Trainer, in the
run directory the run's Lifecycle opens; returns the run's Outcome."""

import signal
import sys
from pathlib import Path

import lightning.pytorch as pl
import torch
from lightning.fabric.plugins.environments import LightningEnvironment
from lightning.pytorch.callbacks import ModelCheckpoint, RichProgressBar
from lightning.pytorch.loggers import TensorBoardLogger
from lightning.pytorch.utilities.exceptions import SIGTERMException

from runner.backends import hardware
from runner.backends.lightning import distributed, quiet
from runner.backends.lightning.callbacks import EpochCsv, StopAtEpochEnd, Throughput, ValidationCadence, Watched
from runner.backends.lightning.checkpoints import RandomState, VerifiedCheckpointIO, checkpoint_callbacks, resume_point
from runner.backends.lightning.data import prepare
from runner.backends.lightning.guards import guards
from runner.backends.lightning.module import RecipeModule
from runner.backends.lightning.networks import check_input
from runner.backends.lightning.trackers import Trackers
from runner.recipe.compile import Program
from runner.run import launch, layout, peers, trackers
from runner.run.interrupts import Stopped, StopRequest
from runner.run.lifecycle import Lifecycle, Outcome


def train(program: Program, run: Lifecycle) -> Outcome:
    hardware.check(program.hardware, torch.cuda.device_count(), "torch")
    quiet.configure()
    share = distributed.connect(program.hardware)  # before the data, so a rank that fails is seen at once
    pl.seed_everything(program.seed, workers=True, verbose=False)
    checkpoint, done = resume_point(run.resume, run.trust) if run.resume else (None, 0)
    # Data first, so a missing dataset leaves no run directory behind.
    data = prepare(program, processes(program))
    model = RecipeModule(data.program, file_backed=data.file_backed)
    check_input(data.program, model.net)
    path = run.open(launch.rank(), checkpoint, done, classes=data.classes, skipped=data.skipped, share=share)
    if done >= program.loop.epochs and run.summary() is not None:
        return run.nothing_left(done)  # else fit, which trains nothing, writes the missing summary
    with StopRequest() as stop:
        tracked = Trackers(data.program, path, trackers.params(run.recipe))
        trainer, best = build_trainer(data.program, path, run.rank == 0, stop, run.trust, tracked, run.watch)
        try:
            trainer.fit(model, data.train, data.val, ckpt_path=checkpoint, weights_only=True)
        except Stopped:
            pass  # the checkpoints written so far stand
        except SIGTERMException:  # Lightning's own stop, should a SIGTERM reach it first
            stop.signum = signal.SIGTERM
        except RuntimeError as e:  # torch.distributed's errors are RuntimeErrors
            message = peers.lost(e, launch.rank(), launch.world())
            if message is None:
                raise
            raise peers.PeerLost(f"{message}; {peers.advice(path)}") from None
    tracked.end("KILLED" if stop.requested else "FINISHED")  # a failure ended them FAILED
    if stop.requested:
        return run.stopped(stop.signum)
    return run.finish(_summary(trainer, best) if trainer.is_global_zero else None)


def processes(program: Program) -> int:
    """How many training processes the Trainer will start (devices: auto resolved as Lightning does)."""
    hw = program.hardware
    devices = hw.devices
    if devices == "auto":
        gpus = torch.cuda.device_count() if hw.accelerator in ("auto", "gpu") else 0
        devices = gpus or 1
    return devices * hw.num_nodes


def build_trainer(
    program: Program,
    path: Path,
    echo: bool,
    stop: StopRequest,
    trust: bool = False,
    tracked: Trackers | None = None,
    watch=None,
) -> tuple[pl.Trainer, ModelCheckpoint]:
    """A Trainer carrying the recipe's loop and hardware settings, writing into `path` (and each
    epoch's row to the experiment trackers and the run's watch, when given)."""
    hw, loop = program.hardware, program.loop
    latest, best = checkpoint_callbacks(layout.checkpoints(path), loop.monitor, loop.mode)
    interactive = echo and sys.stdout.isatty()
    throughput = Throughput(show=interactive)
    epoch_csv = EpochCsv(path / layout.METRICS, throughput, program, echo, tracked)
    # metrics.csv's row is written before the epoch's checkpoints, so a kill between the two
    # leaves a row that resume drops and writes again, never a missing one.
    callbacks = [
        ValidationCadence(loop.epochs, loop.val_every),
        throughput,
        epoch_csv,
        # The best first: the generation saved next then holds both callbacks' state after this
        # epoch, so a resume from it knows the best score and file as they are.
        best,
        latest,
        RandomState(),
        *([Watched(epoch_csv, watch)] if watch else []),
        *guards(program, path),
        StopAtEpochEnd(stop),
        *([tracked] if tracked else []),
    ]
    if interactive:
        callbacks.append(RichProgressBar())
    loggers = [TensorBoardLogger(path, name="", version=layout.TENSORBOARD)] if program.log.tensorboard else False
    trainer = pl.Trainer(
        accelerator=hw.accelerator,
        devices=hw.devices,
        num_nodes=hw.num_nodes,
        strategy=hw.strategy,
        precision=hw.precision,
        deterministic=hw.deterministic,
        max_epochs=loop.epochs,
        accumulate_grad_batches=loop.accumulate,
        gradient_clip_val=loop.grad_clip or None,
        check_val_every_n_epoch=1,  # ValidationCadence decides, epoch by epoch
        log_every_n_steps=program.log.every_n_steps,
        callbacks=callbacks,
        logger=loggers,
        default_root_dir=path,
        enable_progress_bar=interactive,
        enable_model_summary=False,
        use_distributed_sampler=False,  # data.py's samplers take each process's share themselves
        # In a SLURM allocation but not started by srun: one whole run, not a task of a job.
        plugins=[VerifiedCheckpointIO(trust), *([LightningEnvironment()] if launch.slurm_allocation() else [])],
    )
    return trainer, best


def _summary(trainer: pl.Trainer, best: ModelCheckpoint) -> dict:
    metrics = {k: float(v) for k, v in trainer.callback_metrics.items() if not k.endswith("_step") and k != "img/s"}
    score = best.best_model_score
    return {
        **metrics,
        "epochs": trainer.current_epoch,
        "steps": trainer.global_step,
        "best": float(score) if score is not None else None,
        "best_checkpoint": best.best_model_path or None,
        "last_checkpoint": layout.LAST[".ckpt"],
    }
