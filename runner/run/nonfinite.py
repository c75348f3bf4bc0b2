"""The error that stops a run whose training loss turned NaN or infinite (`train.stop_on_nonfinite`),
raised by both backends' guards; framework-free, so the Paddle backend needs no torch to raise it."""

from pathlib import Path

from runner.recipe.compile import Program
from runner.recipe.errors import RunFailed
from runner.run import layout


class NonFiniteLoss(RunFailed):
    """The training loss was NaN or infinite at one optimizer step; the message says where, what
    the newest checkpoint is, and what to change."""

    def __init__(self, value: float, epoch: int, epochs: int, step: int, checkpoint: Path | None, program: Program):
        self.value, self.epoch, self.step, self.checkpoint = value, epoch, step, checkpoint
        super().__init__(message(value, epoch, epochs, step, checkpoint, program))


def message(value: float, epoch: int, epochs: int, step: int, checkpoint: Path | None, program: Program) -> str:
    """`training loss is nan at epoch 2/5, optimizer step 19; last good checkpoint: ...; fix: ...`,
    the epoch and step counted from 1 (the epoch as the per-epoch lines show it)."""
    schedule = program.schedule
    fixes = [f"lower optim.lr (now {program.optim.lr:g})"]
    clip = program.loop.grad_clip
    fixes.append(f"a smaller train.grad_clip (now {clip:g})" if clip else "set train.grad_clip (1.0, say)")
    if not (schedule.warmup_epochs or schedule.warmup_steps):
        fixes.append("add a warm-up (schedule.warmup_epochs: 1, say)")
    shown = checkpoint or "none yet"
    if checkpoint and checkpoint.is_symlink():  # last.ckpt links the newest epoch's file
        shown = f"{checkpoint} ({checkpoint.resolve().name})"
    return (
        f"training loss is {value} at epoch {epoch}/{epochs}, optimizer step {step}; "
        f"last good checkpoint: {shown}; "
        f"fix: {', '.join(fixes[:-1])} or {fixes[-1]}; "
        f"or set train.stop_on_nonfinite: false to let the run go on"
    )


def last_checkpoint(path: Path) -> Path | None:
    """The newest checkpoints/last* file of the run directory `path`, or None before the first."""
    found = [p for p in layout.checkpoints(path).glob("last*") if p.is_file()]
    resumable = [p for p in found if p.suffix in layout.CHECKPOINT_SUFFIXES] or found
    return max(resumable, key=lambda p: p.stat().st_mtime_ns, default=None)
