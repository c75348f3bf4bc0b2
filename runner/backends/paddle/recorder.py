"""paddle.Model callbacks that keep a Paddle run's directory as the Lightning backend keeps its
own: validation on the shared cadence, metrics.csv and a terminal line per epoch, checkpoints/last
and the best by the recipe's monitor (each recorded by SHA-256), and the learning rate stepped
once per optimizer step."""

import json
import time
from pathlib import Path

import paddle

from runner.backends.paddle import checkpoints
from runner.recipe.compile import Program
from runner.run import atomic, epoch_log, layout
from runner.run.cadence import validates
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
    validation (if it has one: runner.run.cadence) has run. `state`: what a resumed run's
    checkpoint recorded (its epochs and steps done, its best score)."""

    def __init__(
        self, path: Path, program: Program, state: dict | None, echo: bool, rank: int, trackers=None, watch=None
    ):
        super().__init__()
        self.trackers = trackers  # the experiment trackers, given each row as metrics.csv is
        self.watch = watch  # the run's watch (runner.run.lifecycle), given each row once it is saved
        self.state = state or {"epoch": 0, "step": 0, "best": None, "best_checkpoint": None}
        self.path, self.echo, self.rank, self.start = path, echo, rank, self.state["epoch"]
        self.task, self.loop = program.task, program.loop
        self.better = max if self.loop.mode == "max" else min
        self.row, self.due = {}, True
        self.events = ScalarWriter(path / layout.TENSORBOARD) if program.log.tensorboard and not rank else None

    def on_epoch_begin(self, epoch, logs=None):
        self.due = validates(self.start + epoch, self.loop.epochs, self.loop.val_every)
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
        self.row["train"] = {name: logs.get(name) for name in self._metric_names()}
        if not self.due:  # no validation follows (its stream is empty): the epoch ends here
            self._finish()

    def on_eval_batch_end(self, step, logs=None):
        self.row["val_images"] += logs["batch_size"]
        self.row["val_loss_sum"] += _first(logs["loss"]) * logs["batch_size"]

    def on_eval_end(self, logs=None):
        if "started" in self.row:  # an eval inside fit, not a separate evaluate()
            self.row["val"] = {name: logs.get(name) for name in self._metric_names()}
            self._finish()

    def _metric_names(self) -> list[str]:
        """The task's metrics as paddle.Model logs them (`acc`, ...), after its loss."""
        return self.model._metrics_name()[1:]

    def _finish(self):
        seen = self.row
        row = {
            "epoch": seen["epoch"],
            "step": self.state["step"],
            "seconds": time.perf_counter() - seen["started"],
            "images_per_s": seen["images"] / max(seen["train_seconds"], 1e-9),
            "lr": self.model._optimizer.get_lr(),
            "train_loss": seen["loss_sum"] / max(seen["images"], 1),
            "val_loss": seen["val_loss_sum"] / seen["val_images"] if seen["val_images"] else None,
            **{f"train_{name}": value for name, value in seen.get("train", {}).items()},
            **{f"val_{name}": value for name, value in seen.get("val", {}).items() if seen["val_images"]},
        }
        # paddle.Model logs each metric in training and validation alike; the task names the ones it keeps
        row = {k: v for k, v in row.items() if k in epoch_log.LOOP or k in self.task.metric_names}
        self.row = {}
        if self.rank:
            return
        epoch_log.append(self.path / layout.METRICS, row, self.task)
        if self.trackers:
            self.trackers.add(row)
        if self.events:  # per epoch, under the tags Lightning's logger uses
            tags = {"train_loss": "train_loss_epoch"}
            self.events.add({tags.get(k, k): row.get(k) for k in (*self.task.metric_names, "lr")}, row["step"])
        if self.echo:
            print(epoch_log.line(row, self.loop.epochs, self.task), flush=True)
        self._save(row)
        if self.watch:
            self.watch(row)

    def _save(self, row: dict):
        folder = layout.checkpoints(self.path)
        folder.mkdir(exist_ok=True)
        score, best = row.get(self.loop.monitor), self.state["best"]
        if score is not None and (best is None or self.better(score, best) != best):
            self.state.update(
                best=score,
                best_checkpoint=checkpoints.save_best(self.model, folder, row["epoch"], self.state["best_checkpoint"]),
            )
        self.state.update(epoch=row["epoch"] + 1, last=row)
        checkpoints.save(self.model, folder, self.state)
        atomic.write_text(folder / layout.STATE, json.dumps(self.state, indent=2) + "\n")


class Gated:
    """A validation stream that runs only after the epochs the Recorder says are due: paddle.Model
    validates after every epoch it is given data for (eval_freq=1), and finds none otherwise."""

    def __init__(self, stream, recorder: Recorder):
        self.stream, self.recorder = stream, recorder

    def __len__(self) -> int:
        return len(self.stream) if self.recorder.due else 0

    def __iter__(self):
        return iter(self.stream) if self.recorder.due else iter(())


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
