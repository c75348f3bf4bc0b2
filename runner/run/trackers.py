"""What both backends hand to an experiment tracker (log.mlflow, log.wandb), so that MLflow and
W&B show the same names and numbers whichever backend trained: the resolved recipe as flat
params, and each epoch's metrics.csv row as metrics at step = epoch. The trackers' own packages
are imported by the backends, never here."""

from pathlib import Path

# Lightning's MLFlowLogger cuts a param's value to 250 characters; Paddle's runs cut theirs alike.
PARAM_CHARS = 250
# metrics.csv columns that are not metrics: the epoch is the step, `step` is the optimizer's count.
NOT_METRICS = ("epoch", "step")


def params(recipe) -> dict[str, str]:
    """The resolved recipe (`recipe`: a runner.recipe.stages.Recipe) as `optim.lr: '0.003'`,
    list items by index (`augment.train.0.name`)."""
    flat = {}

    def walk(value, path):
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else None
        if items is None:
            flat[".".join(path)] = str(value)[:PARAM_CHARS]
            return
        for key, inner in items:
            walk(inner, (*path, str(key)))

    walk(recipe.data, ())
    return flat


def metrics(row: dict) -> dict[str, float]:
    """An epoch's metrics.csv row as tracker metrics: blank columns (no validation) left out."""
    return {k: float(v) for k, v in row.items() if k not in NOT_METRICS and v is not None}


def where(tracking_uri: str) -> str:
    """The tracking URI as a user can find it from anywhere: a relative path made absolute (a
    SQLite file's, or a folder's), a server's or other URI as it is."""
    sqlite = "sqlite:///"
    if tracking_uri.startswith(sqlite):  # sqlite:///rel.db is relative, sqlite:////abs.db absolute
        return sqlite + str(Path(tracking_uri.removeprefix(sqlite)).absolute())
    if ":" in tracking_uri:
        return tracking_uri
    return str(Path(tracking_uri).absolute())


def announce_mlflow(run_id: str, experiment: str, tracking_uri: str) -> str:
    return f"mlflow: run {run_id} in experiment {experiment!r} at {where(tracking_uri)}"


def announce_wandb(mode: str, project: str, folder: str) -> str:
    sync = f"; upload with: wandb sync {folder}" if mode == "offline" else ""
    return f"wandb: {mode} run in project {project!r} at {folder}{sync}"
