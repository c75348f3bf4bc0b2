"""Callbacks that stop a Lightning run as soon as it cannot succeed: `train.stop_on_nonfinite`
raises NonFiniteLoss at the first optimizer step whose training loss is NaN or infinite."""

from pathlib import Path

import torch
from lightning.pytorch.callbacks import Callback

from runner.recipe.compile import Program
from runner.run.nonfinite import NonFiniteLoss, last_checkpoint


def guards(program: Program, path: Path) -> list[Callback]:
    """The recipe's guards for a Trainer writing into the run directory `path`."""
    return [StopOnNonFinite(program, path)] if program.loop.stop_on_nonfinite else []


class StopOnNonFinite(Callback):
    """Checks each batch's loss before its backward pass, so the step that would write NaN into
    the weights never runs (and a checkpoint saved on the way out holds good weights).

    Cost: one host-device sync per batch (`.item()` waits for the forward pass to finish before
    the backward is queued); on a GPU that is a short idle gap per step, small next to a step of
    any real model. Under DDP the loss is also summed across processes (one scalar all-reduce) so
    every process stops at the same step instead of the others waiting in the next all-reduce."""

    def __init__(self, program: Program, path: Path):
        self.program, self.path = program, Path(path)

    def on_before_backward(self, trainer, module, loss):
        # loss: this batch's loss / accumulate (x the AMP scale under 16-mixed): finite or not alike
        total = trainer.strategy.reduce(loss.detach().float().clone(), reduce_op="sum")
        if bool(torch.isfinite(total)):
            return
        # global_step counts finished optimizer steps; this batch belongs to the next one
        raise NonFiniteLoss(
            total.item(),
            trainer.current_epoch + 1,
            trainer.max_epochs,
            trainer.global_step + 1,
            last_checkpoint(self.path),
            self.program,
        )
