"""paddle.Model callbacks that keep a Paddle run's directory as the Lightning backend keeps its
own: metrics.csv and a terminal line per epoch, checkpoints/last and the best by the recipe's
monitor (each recorded by SHA-256), and the learning rate stepped once per optimizer step."""

import json
import time
from pathlib import Path

import paddle

from runner.backends.paddle import checkpoints
from runner.run import atomic, epoch_log
from runner.run.tensorboard import ScalarWriter


class OptimizerStepLR(paddle.callbacks.LRScheduler):
    """Step the schedule when the optimizer steps: after every `accumulate` batches and at the end
    of an epoch, as paddle.Model updates the weights (its own callback steps every batch)."""

    def __init__(self, accumulate: int, batches: int):
        super().__init__(by_step=True)
        self.accumulate, self.batches = accumulate, batches

    def on_train_batch_end(self, step, logs=None):
        if (step + 1) % self.accumulate == 0 or step + 1 == self.batches:
            self.model._optimizer._learning_rate.step()


class Recorder(paddle.callbacks.Callback):
    """One row, one line and the checkpoints of each epoch, written by rank 0 once the epoch's
    validation (if any) has run. `start` is the number of epochs already done (resume)."""

    def __init__(self, path: Path, r: dict, state: dict | None, echo: bool, rank: int):
        super().__init__()
        self.state = state or {"epoch": 0, "step": 0, "best": None, "best_checkpoint": None}
        self.path, self.echo, self.rank, self.start = path, echo, rank, self.state["epoch"]
        self.epochs, self.val_every = r["train"]["epochs"], r["train"]["val_every"]
        ckpt = r["train"]["checkpoint"]
        self.monitor, self.better = ckpt["monitor"], (max if ckpt["mode"] == "max" else min)
        self.row = {}
        self.events = ScalarWriter(path / "tensorboard") if r["log"]["tensorboard"] and not rank else None

    def on_epoch_begin(self, epoch, logs=None):
        self.row = {
            "epoch": self.start + epoch,
            "images": 0,
            "train_seconds": 0.0,
            "loss_sum": 0.0,
            "val_images": 0,
            "val_loss_sum": 0.0,
            "started": time.perf_counter(),
        }

    def on_train_batch_begin(self, step, logs=None):
        self.tick = time.perf_counter()

    def on_train_batch_end(self, step, logs=None):
        images = logs["batch_size"]
        self.row["images"] += images
        self.row["train_seconds"] += time.perf_counter() - self.tick
        self.row["loss_sum"] += _first(logs["loss"]) * images
        self.state["step"] += 1 if (step + 1) % self.model._accumulate == 0 or step + 1 == self.params["steps"] else 0

    def on_epoch_end(self, epoch, logs=None):
        self.row["train_acc"] = logs.get("acc")
        if epoch % self.val_every:  # paddle.Model validates when epoch % eval_freq == 0
            self._finish()

    def on_eval_batch_end(self, step, logs=None):
        self.row["val_images"] += logs["batch_size"]
        self.row["val_loss_sum"] += _first(logs["loss"]) * logs["batch_size"]

    def on_eval_end(self, logs=None):
        if "started" in self.row:  # an eval inside fit, not a separate evaluate()
            self.row["val_acc"] = logs.get("acc")
            self._finish()

    def _finish(self):
        r = self.row
        row = {
            "epoch": r["epoch"],
            "step": self.state["step"],
            "seconds": time.perf_counter() - r["started"],
            "images_per_s": r["images"] / max(r["train_seconds"], 1e-9),
            "lr": self.model._optimizer.get_lr(),
            "train_loss": r["loss_sum"] / max(r["images"], 1),
            "train_acc": r.get("train_acc"),
            "val_loss": r["val_loss_sum"] / r["val_images"] if r["val_images"] else None,
            "val_acc": r.get("val_acc"),
        }
        self.row = {}
        if self.rank:
            return
        epoch_log.append(self.path / "metrics.csv", row)
        if self.events:  # per epoch, under the tags Lightning's logger uses
            self.events.add(
                {
                    "train_loss_epoch": row["train_loss"],
                    "train_acc": row["train_acc"],
                    "val_loss": row["val_loss"],
                    "val_acc": row["val_acc"],
                    "lr": row["lr"],
                },
                row["step"],
            )
        if self.echo:
            print(epoch_log.line(row, self.epochs), flush=True)
        self._save(row)

    def _save(self, row: dict):
        folder = self.path / "checkpoints"
        folder.mkdir(exist_ok=True)
        score, best = row.get(self.monitor), self.state["best"]
        if score is not None and (best is None or self.better(score, best) != best):
            self.state.update(
                best=score,
                best_checkpoint=checkpoints.save_best(self.model, folder, row["epoch"], self.state["best_checkpoint"]),
            )
        self.state.update(epoch=row["epoch"] + 1, last=row)
        checkpoints.save(self.model, folder, self.state)
        atomic.write_text(folder / "state.json", json.dumps(self.state, indent=2) + "\n")


class StopAtEpochEnd(paddle.callbacks.Callback):
    """End training once the epoch in progress is checkpointed, when Ctrl-C asked for it
    (paddle.Model.fit checks stop_training after each epoch's validation)."""

    def __init__(self, stop):
        super().__init__()
        self.stop = stop

    def on_epoch_end(self, epoch, logs=None):
        if self.stop.requested:
            self.model.stop_training = True


def _first(value) -> float:
    return float(value[0] if isinstance(value, (list, tuple)) else value)
