"""The detection and segmentation pictures: each image's prediction beside its target in one
mosaic, titled and labelled, with the classes' colours in a legend; and one bar per class for AP
or IoU, in the same colours."""

from pathlib import Path

import numpy as np
from matplotlib.patches import Patch

from runner.report import tiles
from runner.report.figures import pictured, plt, save
from runner.report.looks import Drawn

LABEL_POINTS = 6  # the size of the class-and-score labels on boxes


def pairs(
    drawn: list[Drawn],
    titles: list[str],
    title_colours: list[str],
    legend: list[tuple[str, np.ndarray]],
    path: Path,
    columns: int = 4,
) -> str:
    """`columns` pairs a row: the prediction titled with its verdict and its notes written on it,
    then the truth; the legend (name, colour) above."""
    shown = [tile for d in drawn for tile in (d.predicted, d.truth)]
    canvas, corners = tiles.mosaic(shown, 2 * columns, titled=True)
    figure, ax = pictured(canvas)
    for d, title, colour, (x, y), (tx, ty) in zip(drawn, titles, title_colours, corners[::2], corners[1::2]):
        ax.text(x, y - 3, title, fontsize=7, color=colour, va="bottom")
        ax.text(tx, ty - 3, "truth", fontsize=7, color="black", va="bottom")
        for nx, ny, text, note_colour in d.notes:
            box = {"facecolor": tuple(note_colour), "edgecolor": "none", "pad": 0.5}
            ax.text(x + nx, y + ny, text, fontsize=LABEL_POINTS, color="white", va="top", bbox=box)
    if legend:
        handles = [Patch(facecolor=tuple(c), label=name) for name, c in legend]
        figure.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0, 1),
            ncol=min(len(handles), 8),
            fontsize=8,
            frameon=False,
        )
    return save(figure, path)


def bars(names: tuple[str, ...], values: list[float | None], colours: np.ndarray, label: str, path: Path) -> str:
    """One horizontal bar per class, its value written beside it; "-" where a class has none."""
    figure, ax = plt.subplots(figsize=(5, 0.35 * len(names) + 1))
    rows = np.arange(len(names))
    shown = [0.0 if v is None else v for v in values]
    ax.barh(rows, shown, color=[tuple(c) for c in colours], height=0.7)
    for row, value in zip(rows, values):
        ax.text((value or 0) + 0.01, row, "-" if value is None else f"{value:.3f}", va="center", fontsize=8)
    ax.set_yticks(rows, names, fontsize=8)
    ax.invert_yaxis()  # the first class on top, as in the table
    ax.set_xlim(0, 1.1)
    ax.set_xlabel(label)
    return save(figure, path)
