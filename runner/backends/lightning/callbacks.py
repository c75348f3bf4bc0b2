"""What a Lightning run does beside training: validate on the shared cadence, report training
speed in images/s, write one row per epoch in metrics.csv with a matching line on the terminal,
and stop at an epoch's end when asked."""

import time

from lightning.pytorch.callbacks import Callback

from runner.recipe.compile import Program
from runner.run import epoch_log
from runner.run.cadence import validates


class ValidationCadence(Callback):
    """Validate after the epochs runner.run.cadence names (every val_every-th, and the last),
    counted from the run's first epoch across a resume, as the Paddle backend does."""

    def __init__(self, epochs: int, val_every: int):
        self.epochs, self.val_every = epochs, val_every

    def on_train_epoch_start(self, trainer, module):
        due = validates(trainer.current_epoch, self.epochs, self.val_every)
        # Lightning validates after epoch e when (e + 1) % check_val_every_n_epoch == 0, read anew each epoch
        trainer.check_val_every_n_epoch = 1 if due else self.epochs + 1


class Throughput(Callback):
    """Training images per second, across every process: shown on the progress bar as it runs
    (smoothed), and per epoch (training steps only, validation excluded)."""

    SMOOTHING = 0.9

    def __init__(self, show: bool):
        self.show = show  # on the progress bar, which only a terminal has; logging it costs a little per step
        self.rate, self.epoch_images, self.epoch_seconds, self.tick = None, 0, 0.0, None

    def on_train_epoch_start(self, trainer, module):
        self.epoch_images, self.epoch_seconds = 0, 0.0

    def on_train_batch_start(self, trainer, module, batch, batch_idx):
        self.tick = time.perf_counter()

    def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx):
        seconds = time.perf_counter() - self.tick
        images = len(batch[1]) * trainer.world_size
        self.epoch_images += images
        self.epoch_seconds += seconds
        if self.show:
            rate = images / max(seconds, 1e-9)
            self.rate = rate if self.rate is None else self.SMOOTHING * self.rate + (1 - self.SMOOTHING) * rate
            module.log("img/s", self.rate, prog_bar=True, logger=False, on_step=True, on_epoch=False)

    @property
    def epoch_rate(self) -> float:
        return self.epoch_images / self.epoch_seconds if self.epoch_seconds else 0.0


class EpochCsv(Callback):
    """metrics.csv and the terminal line of each epoch (runner.run.epoch_log), and the same row to
    the experiment `trackers`, from rank 0; the validation columns stay blank after an epoch that
    did not validate."""

    def __init__(self, path, throughput: Throughput, program: Program, echo: bool, trackers=None):
        self.path, self.throughput, self.echo, self.trackers = path, throughput, echo, trackers
        self.task, self.loop = program.task, program.loop
        self.started, self.row = None, {}

    def on_train_epoch_start(self, trainer, module):
        self.started = time.perf_counter()

    def on_train_epoch_end(self, trainer, module):
        if trainer.global_rank:
            return
        metrics, epoch = trainer.callback_metrics, trainer.current_epoch
        validated = validates(epoch, self.loop.epochs, self.loop.val_every)
        row = {
            "epoch": epoch,
            "step": trainer.global_step,
            "seconds": time.perf_counter() - self.started,  # training + validation
            "images_per_s": self.throughput.epoch_rate,
            "lr": trainer.optimizers[0].param_groups[0]["lr"],
        }
        for name in self.task.metric_names:  # a metric logged per step as well has an _epoch mean
            if validated or not name.startswith("val_"):
                row[name] = metrics.get(f"{name}_epoch", metrics.get(name))
        self.row = row
        epoch_log.append(self.path, row, self.task)
        if self.trackers:
            self.trackers.add(row)
        if self.echo:
            print(epoch_log.line(row, self.loop.epochs, self.task), flush=True)


class Watched(Callback):
    """The run's watch (runner.run.lifecycle), given each epoch's row once the epoch is checkpointed
    (placed after the checkpoint callbacks); it may raise Pruned to end the run."""

    def __init__(self, epoch_csv: EpochCsv, watch):
        self.epoch_csv, self.watch = epoch_csv, watch

    def on_train_epoch_end(self, trainer, module):
        if not trainer.global_rank:
            self.watch(self.epoch_csv.row)


class StopAtEpochEnd(Callback):
    """End training once the epoch in progress is checkpointed, when Ctrl-C asked for it (placed
    after the checkpoint callbacks, which save at the same hook)."""

    def __init__(self, stop):
        self.stop = stop

    def on_train_epoch_end(self, trainer, module):
        if self.stop.requested:
            trainer.should_stop = True
