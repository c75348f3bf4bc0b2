"""`runner run --dry-run` on the Paddle backend: build every component and run one training and
one validation step on stand-in images of the recipe's shape and class count (segmentation:
generated shapes with exact masks, written to a temporary folder), writing nothing in the run's
folders."""

import tempfile
from pathlib import Path

import paddle

from runner.backends.paddle import dense_data
from runner.backends.paddle.data import dense_streams, memory_data
from runner.backends.paddle.model import build_model, place, seed_everything
from runner.data import stand_in
from runner.recipe.compile import Program


class FirstLoss(paddle.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.loss = None

    def on_train_batch_end(self, step, logs=None):
        loss = logs["loss"]
        self.loss = float(loss[0] if isinstance(loss, (list, tuple)) else loss)


def dry_run(program: Program) -> None:
    place(program.hardware)
    seed_everything(program.seed)
    batch = min(stand_in.BATCH, program.data.batch_size)
    with tempfile.TemporaryDirectory(prefix="runner-dry-run-") as scratch:
        if program.task.name in dense_data.COLLATE:  # generated shapes, with masks
            found, program = stand_in.annotated(program, Path(scratch) / "data", 2 * batch)
            data = dense_streams(program, found, batch)
        else:
            program = stand_in.counted(program)
            data = memory_data(program, stand_in.arrays(program, 2 * batch), batch)
        model = build_model(program)
        first = FirstLoss()
        model.fit(data.train, data.val, epochs=1, num_iters=1, verbose=0, callbacks=[first])
    parameters = sum(int(p.size) for p in model.network.parameters() if not p.stop_gradient)  # as torch counts
    shape = "x".join(map(str, stand_in.shape(program)))
    print(
        f"dry run OK: {program.model.arch or program.model.backbone} ({parameters:,} parameters), "
        f"{program.num_classes} classes; one training step (loss {first.loss:.4f}) and one validation step "
        f"on {batch} random {shape} images, paddle on {paddle.get_device()}, precision "
        f"{program.hardware.precision}, one process; nothing written"
    )
