"""The experiment trackers a Lightning run logs to (log.mlflow, log.wandb), through Lightning's own
MLFlowLogger and WandbLogger: started on rank 0 when fit starts, given each epoch's metrics.csv
row by EpochCsv, and ended with the run's status. They are not the Trainer's loggers, so that they
receive what a Paddle run's trackers receive (runner.run.trackers: the same names, step = epoch),
not every self.log of the module under Lightning's own names and steps."""

from pathlib import Path

from lightning.pytorch.callbacks import Callback
from lightning.pytorch.utilities.exceptions import SIGTERMException

from runner.recipe.compile import Program
from runner.recipe.errors import RunFailed
from runner.run import trackers
from runner.run.interrupts import Stopped
from runner.run.lifecycle import Pruned


class Trackers(Callback):
    """`params`: the resolved recipe, flat (runner.run.trackers.params); kept as `hyperparams`, as
    the framework names its own `params` or `log`."""

    def __init__(self, program: Program, path: Path, params: dict[str, str]):
        self.spec, self.path, self.hyperparams = program.log, path, params
        self.mlflow = self.wandb = None

    def on_fit_start(self, trainer, module):
        if trainer.is_global_zero:
            self.start()

    def start(self):
        mlflow, wandb = self.spec.mlflow, self.spec.wandb
        if mlflow.enabled:
            from lightning.pytorch.loggers import MLFlowLogger
            from mlflow.exceptions import MlflowException

            try:
                self.mlflow = MLFlowLogger(
                    experiment_name=mlflow.experiment,
                    run_name=self.path.name,
                    tracking_uri=mlflow.tracking_uri,
                    tags={"runner.run_dir": str(self.path.absolute())},
                )
                self.mlflow.log_hyperparams(self.hyperparams)
            except MlflowException as e:
                raise RunFailed(f"log.mlflow.tracking_uri {mlflow.tracking_uri}: {e.message}") from None
            print(trackers.announce_mlflow(self.mlflow.run_id, mlflow.experiment, mlflow.tracking_uri), flush=True)
        if wandb.enabled:
            from lightning.pytorch.loggers import WandbLogger

            # mode=, not offline=True: that sets os.environ["WANDB_MODE"] for the rest of the process.
            name, folder = self.path.name, str(self.path)
            self.wandb = WandbLogger(project=wandb.project, name=name, save_dir=folder, mode=wandb.mode)
            self.wandb.log_hyperparams(self.hyperparams)
            # Charts against the epoch, as on Paddle: WandbLogger set trainer/global_step, which
            # only the Trainer's own logging advances.
            self.wandb.experiment.define_metric("*", step_metric="epoch")
            offline_run = Path(self.wandb.experiment.dir).parent  # the run's folder, above its files/
            print(trackers.announce_wandb(wandb.mode, wandb.project, offline_run), flush=True)

    def add(self, row: dict) -> None:
        """One epoch's metrics.csv row, from rank 0."""
        metrics, epoch = trackers.metrics(row), row["epoch"]
        if self.mlflow:
            self.mlflow.log_metrics(metrics, step=epoch)
        if self.wandb:  # not WandbLogger.log_metrics, which files the step as trainer/global_step
            self.wandb.experiment.log({**metrics, "epoch": epoch}, step=epoch)

    def on_exception(self, trainer, module, exception):
        ended = isinstance(exception, (Stopped, SIGTERMException, KeyboardInterrupt, Pruned))  # on purpose
        self.end("KILLED" if ended else "FAILED")

    def end(self, status: str) -> None:
        """End each tracker's run once: FINISHED, KILLED (stopped; resumable) or FAILED."""
        if self.mlflow:
            self.mlflow.finalize(status)  # MLflow's own statuses pass through unchanged
        if self.wandb:
            self.wandb.experiment.finish(exit_code=0 if status == "FINISHED" else 1)
        self.mlflow = self.wandb = None
