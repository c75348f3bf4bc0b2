"""What a Lightning run reports as it goes: training speed in images/s, and one row per epoch
in metrics.csv with a matching line on the terminal."""

import time

from lightning.pytorch.callbacks import Callback

from runner.run import epoch_log


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
    """metrics.csv and the terminal line of each epoch (runner.run.epoch_log), from rank 0."""

    def __init__(self, path, throughput: Throughput, epochs: int, echo: bool):
        self.path, self.throughput, self.epochs, self.echo = path, throughput, epochs, echo
        self.started = None

    def on_train_epoch_start(self, trainer, module):
        self.started = time.perf_counter()

    def on_train_epoch_end(self, trainer, module):
        if trainer.global_rank:
            return
        metrics = trainer.callback_metrics
        row = {
            "epoch": trainer.current_epoch,
            "step": trainer.global_step,
            "seconds": time.perf_counter() - self.started,  # training + validation
            "images_per_s": self.throughput.epoch_rate,
            "lr": trainer.optimizers[0].param_groups[0]["lr"],
            "train_loss": metrics.get("train_loss_epoch"),
            "train_acc": metrics.get("train_acc"),
            "val_loss": metrics.get("val_loss"),
            "val_acc": metrics.get("val_acc"),
        }
        epoch_log.append(self.path, row)
        if self.echo:
            print(epoch_log.line(row, self.epochs), flush=True)


class StopAtEpochEnd(Callback):
    """End training once the epoch in progress is checkpointed, when Ctrl-C asked for it (placed
    after the checkpoint callbacks, which save at the same hook)."""

    def __init__(self, stop):
        self.stop = stop

    def on_train_epoch_end(self, trainer, module):
        if self.stop.requested:
            trainer.should_stop = True
