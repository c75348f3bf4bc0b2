"""The experiment trackers a Paddle run logs to (log.mlflow, log.wandb), through MLflow's client
and wandb's run: started on rank 0 when training begins, given each epoch's metrics.csv row by the
Recorder, and ended with the run's status. They receive what a Lightning run's trackers receive
(runner.run.trackers: the same params, names and step = epoch)."""

import time
from pathlib import Path

import paddle

from runner.recipe.compile import Program
from runner.recipe.errors import RunFailed
from runner.run import trackers

# MLflow takes at most this many params or metrics in one log_batch.
BATCH = 100


class Trackers(paddle.callbacks.Callback):
    """`params`: the resolved recipe, flat (runner.run.trackers.params); kept as `hyperparams`, as
    the framework names its own `params` or `log`."""

    def __init__(self, program: Program, path: Path, params: dict[str, str], rank: int):
        super().__init__()
        self.spec, self.path, self.hyperparams, self.rank = program.log, path, params, rank
        self.mlflow = self.run_id = self.wandb = None

    def on_train_begin(self, logs=None):
        if not self.rank and self.mlflow is None and self.wandb is None:
            self.start()

    def start(self):
        mlflow, wandb = self.spec.mlflow, self.spec.wandb
        if mlflow.enabled:
            from mlflow.entities import Param
            from mlflow.exceptions import MlflowException
            from mlflow.tracking import MlflowClient

            try:
                client = MlflowClient(mlflow.tracking_uri)
                found = client.get_experiment_by_name(mlflow.experiment)
                experiment = found.experiment_id if found else client.create_experiment(mlflow.experiment)
                tags = {"runner.run_dir": str(self.path.absolute())}
                self.run_id = client.create_run(experiment, run_name=self.path.name, tags=tags).info.run_id
                params = [Param(k, v) for k, v in self.hyperparams.items()]
                for i in range(0, len(params), BATCH):
                    client.log_batch(self.run_id, params=params[i : i + BATCH])
            except MlflowException as e:
                raise RunFailed(f"log.mlflow.tracking_uri {mlflow.tracking_uri}: {e.message}") from None
            self.mlflow = client
            print(trackers.announce_mlflow(self.run_id, mlflow.experiment, mlflow.tracking_uri), flush=True)
        if wandb.enabled:
            import wandb as wb

            self.wandb = wb.init(
                project=wandb.project, name=self.path.name, dir=str(self.path), mode=wandb.mode, config=self.hyperparams
            )
            self.wandb.define_metric("*", step_metric="epoch")  # the charts' x axis, as on Lightning
            print(trackers.announce_wandb(wandb.mode, wandb.project, Path(self.wandb.dir).parent), flush=True)

    def add(self, row: dict) -> None:
        """One epoch's metrics.csv row, from rank 0."""
        metrics, epoch = trackers.metrics(row), row["epoch"]
        if self.mlflow:
            from mlflow.entities import Metric

            now = int(time.time() * 1000)  # ms, as MLflow stamps a metric
            self.mlflow.log_batch(self.run_id, metrics=[Metric(k, v, now, epoch) for k, v in metrics.items()])
        if self.wandb:
            self.wandb.log({**metrics, "epoch": epoch}, step=epoch)

    def end(self, status: str) -> None:
        """End each tracker's run once: FINISHED, KILLED (stopped; resumable) or FAILED."""
        if self.mlflow:
            self.mlflow.set_terminated(self.run_id, status)
        if self.wandb:
            self.wandb.finish(exit_code=0 if status == "FINISHED" else 1)
        self.mlflow = self.wandb = None
