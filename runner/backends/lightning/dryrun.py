"""`runner run --dry-run`: build every component of the recipe and run one training and one
validation step on a stand-in of the data (random images of the recipe's shape and class
count), in one process, writing nothing. Recipes whose data is not on this machine are proven
runnable this way, in CI too."""

import tempfile
from pathlib import Path

import lightning.pytorch as pl

from runner.backends.lightning import dense_data, quiet
from runner.backends.lightning.data import dense_loaders, memory_data
from runner.backends.lightning.module import RecipeModule
from runner.backends.lightning.networks import check_input
from runner.data import stand_in
from runner.recipe.compile import Program


def dry_run(program: Program) -> None:
    quiet.configure()
    pl.seed_everything(program.seed, workers=True, verbose=False)
    batch = min(stand_in.BATCH, program.data.batch_size)
    hw = program.hardware
    with tempfile.TemporaryDirectory(prefix="runner-dry-run-") as scratch:
        if program.task.name in dense_data.COLLATE:  # generated shapes, with boxes and masks
            found, program = stand_in.annotated(program, Path(scratch) / "data", 2 * batch)
            data = dense_loaders(program, found, batch)
        else:
            program = stand_in.counted(program)
            data = memory_data(program, stand_in.arrays(program, 2 * batch), batch=batch)
        model = RecipeModule(program, file_backed=data.file_backed)
        check_input(program, model.net)
        trainer = pl.Trainer(
            accelerator=hw.accelerator,
            devices=1,
            num_nodes=1,
            precision=hw.precision,
            deterministic=hw.deterministic,
            gradient_clip_val=program.loop.grad_clip or None,
            fast_dev_run=1,
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
            default_root_dir=scratch,
        )
        trainer.fit(model, data.train, data.val)
    loss = trainer.callback_metrics.get("train_loss_step", trainer.callback_metrics.get("train_loss"))
    shape = "x".join(map(str, stand_in.shape(program)))
    kind = "images of generated shapes" if program.task.name in dense_data.COLLATE else "random images"
    parameters = sum(p.numel() for p in model.net.parameters())
    device = trainer.accelerator.__class__.__name__.removesuffix("Accelerator").lower()
    print(
        f"dry run OK: {program.model.arch or program.model.backbone} ({parameters:,} parameters), "
        f"{program.num_classes} classes; "
        f"one training step (loss {float(loss):.4f}) and one validation step on {batch} {shape} "
        f"{kind}, {device}, precision {hw.precision}, one process; nothing written"
    )
