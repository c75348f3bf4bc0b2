"""The Lightning backend: compiled Program -> data, Classifier and Trainer -> run directory."""

import json
import sys
from pathlib import Path

import lightning.pytorch as pl
from lightning.pytorch.callbacks import ModelCheckpoint, RichProgressBar
from lightning.pytorch.loggers import TensorBoardLogger

from runner.backends.lightning import quiet
from runner.backends.lightning.callbacks import EpochCsv, StopAtEpochEnd, Throughput
from runner.backends.lightning.checkpoints import RandomState, VerifiedCheckpointIO, checkpoint_callbacks, resume_point
from runner.backends.lightning.data import prepare
from runner.backends.lightning.guards import guards
from runner.backends.lightning.module import Classifier
from runner.backends.lightning.networks import check_input
from runner.data.identity import identity
from runner.run import epoch_log, rundir
from runner.run.interrupts import StopRequest, stopped_message


def execute(recipe, program, dry_run: bool = False, resume: Path | None = None) -> int:
    quiet.configure()
    pl.seed_everything(recipe.data["seed"], workers=True, verbose=False)
    if dry_run:
        from runner.backends.lightning.dryrun import dry_run as run_dry

        return run_dry(recipe, program)
    checkpoint_path, done = resume_point(resume) if resume else (None, 0)
    # Data first, so a missing dataset leaves no run directory behind.
    data = prepare(program, processes(recipe.data["hardware"]))
    model = Classifier(data.program, file_backed=data.file_backed)
    check_input(recipe, data.program, model.net)
    path = resume or rundir.open_for_rank(recipe, identity(recipe.data["data"]))
    first = rundir.rank() == 0
    if first:
        print(f"run dir: {path}", flush=True)
        if resume:
            print(f"resuming from {checkpoint_path}", flush=True)
    if resume and first:
        epoch_log.drop_from(path / "metrics.csv", done)  # rows of an epoch cut short are written again
    with StopRequest() as stop:
        trainer, checkpoint = build_trainer(recipe.data, path, echo=first, stop=stop)
        trainer.fit(model, data.train, data.val, ckpt_path=checkpoint_path, weights_only=True)
    if trainer.interrupted or stop.requested:  # Lightning turns a second Ctrl-C into a graceful stop
        print(stopped_message(path), file=sys.stderr)
        return 130
    if not trainer.is_global_zero:
        return 0
    summary = _summary(trainer, checkpoint)
    (path / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    shown = {k: summary.get(k) for k in ("val_acc", "best")}
    print(", ".join(f"{k} {v:.4f}" for k, v in shown.items() if v is not None) or "no validation ran")
    print(f"run dir: {path}")
    return 0


def processes(hw: dict) -> int:
    """How many training processes the Trainer will start (devices: auto resolved as Lightning does)."""
    devices = hw["devices"]
    if devices == "auto":
        import torch

        gpus = torch.cuda.device_count() if hw["accelerator"] in ("auto", "gpu") else 0
        devices = gpus or 1
    return devices * hw["num_nodes"]


def build_trainer(r: dict, path: Path, echo: bool, stop: StopRequest) -> tuple[pl.Trainer, ModelCheckpoint]:
    """A Trainer carrying the recipe's loop and hardware settings, writing into `path`."""
    hw, train = r["hardware"], r["train"]
    monitor = train["checkpoint"]
    latest, best = checkpoint_callbacks(path / "checkpoints", monitor["monitor"], monitor["mode"])
    interactive = echo and sys.stdout.isatty()
    throughput = Throughput(show=interactive)
    # metrics.csv's row is written before the epoch's checkpoints, so a kill between the two
    # leaves a row that resume drops and writes again, never a missing one.
    callbacks = [
        throughput,
        EpochCsv(path / "metrics.csv", throughput, train["epochs"], echo),
        latest,
        best,
        RandomState(),
        *guards(r, path),
        StopAtEpochEnd(stop),
    ]
    if interactive:
        callbacks.append(RichProgressBar())
    loggers = [TensorBoardLogger(path, name="", version="tensorboard")] if r["log"]["tensorboard"] else False
    trainer = pl.Trainer(
        accelerator=hw["accelerator"],
        devices=hw["devices"],
        num_nodes=hw["num_nodes"],
        strategy=hw["strategy"],
        precision=hw["precision"],
        deterministic=hw["deterministic"],
        max_epochs=train["epochs"],
        accumulate_grad_batches=train["accumulate"],
        gradient_clip_val=train["grad_clip"] or None,
        check_val_every_n_epoch=train["val_every"],
        log_every_n_steps=r["log"]["every_n_steps"],
        callbacks=callbacks,
        logger=loggers,
        default_root_dir=path,
        enable_progress_bar=interactive,
        enable_model_summary=False,
        plugins=[VerifiedCheckpointIO()],
    )
    return trainer, best


def _summary(trainer, checkpoint) -> dict:
    metrics = {k: float(v) for k, v in trainer.callback_metrics.items() if not k.endswith("_step") and k != "img/s"}
    best = checkpoint.best_model_score
    return {
        **metrics,
        "epochs": trainer.current_epoch,
        "steps": trainer.global_step,
        "best": float(best) if best is not None else None,
        "best_checkpoint": str(checkpoint.best_model_path) or None,
        "last_checkpoint": str(Path(checkpoint.dirpath) / "last.ckpt"),
    }
