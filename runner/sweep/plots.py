"""The study drawn with optuna.visualization.matplotlib: how the best value grew, which params
mattered, every trial across the params, and the metric against each param; PNGs in plots/."""

import logging
import warnings
from pathlib import Path

import optuna
from optuna.trial import TrialState

PLOTS = {
    "history": "plot_optimization_history",
    "importances": "plot_param_importances",
    "parallel": "plot_parallel_coordinate",
    "slices": "plot_slice",
}


def write(study: optuna.Study, out: Path, metric: str) -> list[Path]:
    """The plots the study has enough completed trials for (importances need two)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Param values that read as numbers make matplotlib log each axis at INFO, which Paddle shows.
    logging.getLogger("matplotlib.category").setLevel(logging.WARNING)
    from optuna.visualization import matplotlib as draw

    if len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))) < 2:
        return []
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, function in PLOTS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the module is marked experimental
            try:
                axes = getattr(draw, function)(study, target_name=metric)
            except (ValueError, RuntimeError, ZeroDivisionError):
                continue  # too few distinct trials for this one
            figure = axes.flat[0].figure if hasattr(axes, "flat") else axes.figure
            figure.set_size_inches(max(figure.get_size_inches()[0], 8), max(figure.get_size_inches()[1], 5))
            figure.tight_layout()  # warns when a long legend cannot fit; the figure is drawn anyway
            figure.savefig(out / f"{name}.png", dpi=100)
        plt.close(figure)
        written.append(out / f"{name}.png")
    return written
