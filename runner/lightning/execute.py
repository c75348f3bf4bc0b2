"""The Lightning backend: compiled Program -> DataLoaders, Classifier and Trainer -> run directory."""
import csv
import json

import lightning.pytorch as pl
import torch
from lightning.pytorch.callbacks import Callback, ModelCheckpoint
from lightning.pytorch.loggers import TensorBoardLogger
from torch.utils.data import DataLoader, TensorDataset

from runner import rundir
from runner.arrays import load_arrays
from runner.lightning.augment import BUILDERS
from runner.lightning.module import Classifier

# What this version of the backend builds; recipes naming anything else stop before any work.
IN_MEMORY = ("digits", "synthetic")


def unsupported(recipe: dict) -> list[str]:
    missing = [f"dataset {recipe['data']['dataset']!r}"] if recipe["data"]["dataset"] not in IN_MEMORY else []
    missing += [f"augmentation {s['name']!r}" for stage in ("train", "eval")
                for s in recipe["augment"][stage] if s["name"] not in BUILDERS]
    return missing


def loaders(program):
    """In-memory data needs no worker processes: batches are sliced from one tensor and
    augmented on the device, so data.num_workers applies to file-backed datasets only."""
    arrays = load_arrays(program)
    batch = program.recipe["data"]["batch_size"]
    generator = torch.Generator().manual_seed(program.recipe["seed"])
    train = TensorDataset(torch.from_numpy(arrays.x_train), torch.from_numpy(arrays.y_train))
    val = TensorDataset(torch.from_numpy(arrays.x_val), torch.from_numpy(arrays.y_val))
    return (DataLoader(train, batch_size=batch, shuffle=True, drop_last=True, generator=generator),
            DataLoader(val, batch_size=batch))


class EpochCsv(Callback):
    """metrics.csv: one row per epoch (validation metrics are blank in epochs not validated)."""

    FIELDS = ("epoch", "step", "lr", "train_loss", "train_acc", "val_loss", "val_acc")

    def __init__(self, path):
        self.path = path

    def on_train_epoch_end(self, trainer, module):
        if trainer.global_rank:
            return
        metrics = trainer.callback_metrics
        row = {"epoch": trainer.current_epoch, "step": trainer.global_step,
               "lr": trainer.optimizers[0].param_groups[0]["lr"],
               "train_loss": metrics.get("train_loss_epoch"), "train_acc": metrics.get("train_acc"),
               "val_loss": metrics.get("val_loss"), "val_acc": metrics.get("val_acc")}
        row = {k: ("" if v is None else v if isinstance(v, int) else round(float(v), 6))
               for k, v in row.items()}
        new = not self.path.exists()
        with self.path.open("a", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=self.FIELDS)
            if new:
                writer.writeheader()
            writer.writerow(row)


def execute(recipe, program, dry_run: bool = False) -> int:
    r = recipe.data
    pl.seed_everything(r["seed"], workers=True, verbose=False)
    train_loader, val_loader = loaders(program)
    path = rundir.create(recipe)
    print(f"run dir: {path}", flush=True)
    hw, train = r["hardware"], r["train"]
    monitor = train["checkpoint"]
    checkpoint = ModelCheckpoint(dirpath=path / "checkpoints", filename="best-{epoch}",
                                 monitor=monitor["monitor"], mode=monitor["mode"], save_last=True)
    loggers = [TensorBoardLogger(path, name="", version="tensorboard")] if r["log"]["tensorboard"] else False
    trainer = pl.Trainer(
        accelerator=hw["accelerator"], devices=hw["devices"], num_nodes=hw["num_nodes"],
        strategy=hw["strategy"], precision=hw["precision"], deterministic=hw["deterministic"],
        max_epochs=train["epochs"], accumulate_grad_batches=train["accumulate"],
        gradient_clip_val=train["grad_clip"] or None, check_val_every_n_epoch=train["val_every"],
        log_every_n_steps=r["log"]["every_n_steps"], callbacks=[checkpoint, EpochCsv(path / "metrics.csv")],
        logger=loggers,
        default_root_dir=path, fast_dev_run=1 if dry_run else False, enable_model_summary=False)
    model = Classifier(program)
    trainer.fit(model, train_loader, val_loader)
    summary = _summary(trainer, checkpoint, path)
    (path / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    shown = {k: summary.get(k) for k in ("val_acc", "best")}
    print(", ".join(f"{k} {v:.4f}" for k, v in shown.items() if v is not None) or "no validation ran")
    print(f"run dir: {path}")
    return 0


def _summary(trainer, checkpoint, path) -> dict:
    metrics = {k: float(v) for k, v in trainer.callback_metrics.items() if not k.endswith("_step")}
    best = checkpoint.best_model_score
    return {**metrics, "epochs": trainer.current_epoch, "steps": trainer.global_step,
            "best": float(best) if best is not None else None,
            "best_checkpoint": str(checkpoint.best_model_path) or None}
