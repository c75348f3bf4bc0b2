"""Callbacks that stop a paddle.Model run as soon as it cannot succeed: `train.stop_on_nonfinite`
raises NonFiniteLoss at the first optimizer step whose training loss is NaN or infinite."""

import math
from pathlib import Path

import paddle

from runner.recipe import reading
from runner.recipe.compile import Program
from runner.run import layout
from runner.run.nonfinite import NonFiniteLoss, last_checkpoint


def guards(program: Program, path: Path) -> list[paddle.callbacks.Callback]:
    """The recipe's guards for a fit writing into the run directory `path`."""
    return [StopOnNonFinite(program, path)] if program.loop.stop_on_nonfinite else []


class StopOnNonFinite(paddle.callbacks.Callback):
    """Checks each batch's loss once paddle.Model has stepped on it (fit offers no earlier hook), so
    the weights in memory may already hold NaN: they are never saved, as the run stops here.

    Cost: none beyond fit's own, which turns every batch's loss into a Python float (one
    host-device sync per batch on a GPU). With several processes the loss is also summed across
    them (one scalar all-reduce per batch) so every process stops at the same step."""

    def __init__(self, program: Program, path: Path):
        super().__init__()
        self.program, self.path = program, Path(path)
        self.start_epoch, self.steps_done, self.epoch, self.world = 0, 0, 0, 1

    def on_train_begin(self, logs=None):
        # A resumed run counts on from the epochs and optimizer steps its Recorder saved.
        state = layout.checkpoints(self.path) / layout.STATE
        if state.is_file():
            saved = reading.read_json(state)
            self.start_epoch, self.steps_done = saved.get("epoch", 0), saved.get("step", 0)
        self.world = paddle.distributed.get_world_size()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = self.start_epoch + epoch

    def on_train_batch_end(self, step, logs=None):
        loss = logs["loss"]
        loss = float(loss[0] if isinstance(loss, (list, tuple)) else loss)
        if self.world > 1:
            total = paddle.to_tensor([loss], dtype="float32")
            paddle.distributed.all_reduce(total)
            loss = total.item()
        if not math.isfinite(loss):
            raise NonFiniteLoss(
                loss,
                self.epoch + 1,
                self.program.loop.epochs,
                self.steps_done + 1,
                last_checkpoint(self.path),
                self.program,
            )
        # paddle.Model steps the optimizer after every `accumulate` batches and at an epoch's end
        if (step + 1) % self.model._accumulate == 0 or step + 1 == self.params["steps"]:
            self.steps_done += 1
