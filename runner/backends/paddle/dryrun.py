"""`runner run --dry-run` on the Paddle backend: build every component and run one training and
one validation step on stand-in images of the recipe's shape and class count, writing nothing."""

import paddle

from runner.backends.paddle.data import memory_data
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
    program = stand_in.counted(program)
    batch = min(stand_in.BATCH, program.data.batch_size)
    data = memory_data(program, stand_in.arrays(program, 2 * batch), batch)
    model = build_model(program)
    first = FirstLoss()
    model.fit(data.train, data.val, epochs=1, num_iters=1, verbose=0, callbacks=[first])
    parameters = sum(int(p.size) for p in model.network.parameters() if not p.stop_gradient)  # as torch counts
    shape = "x".join(map(str, stand_in.shape(program)))
    print(
        f"dry run OK: {program.model.backbone} ({parameters:,} parameters), {program.num_classes} classes; "
        f"one training step (loss {first.loss:.4f}) and one validation step on {batch} random {shape} "
        f"images, paddle on {paddle.get_device()}, precision {program.hardware.precision}, one process; "
        "nothing written"
    )
