"""The report's pictures, drawn with matplotlib's Agg backend (no display, no network) and saved
as PNG files beside the page: training curves, a confusion heat map, a reliability diagram and
grids of images with their labels."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: files only, on machines without a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from runner.report import tiles  # noqa: E402
from runner.report.scores import Calibration  # noqa: E402

DPI = 100
TITLE_CHARS = 20  # what fits above one tile at 7 points; a longer title is cut with an ellipsis


def save(figure, path: Path) -> str:
    figure.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(figure)
    return path.name


def curves(runs: dict[str, list[dict]], panels: tuple[tuple[str, tuple[str, ...]], ...], path: Path) -> str:
    """One panel per quantity against epochs, each (title, the metrics.csv columns it overlays).
    Train lines are dashed, val lines solid, then dotted and dash-dotted (mAP, mAP50, mAP75); each
    column has its own colour, or with several runs each run has one."""
    figure, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 3.2), squeeze=False)
    for ax, (title, columns) in zip(axes[0], panels):
        val = [c for c in columns if not c.startswith("train")]
        for run, (name, rows) in enumerate(runs.items()):
            for i, column in enumerate(columns):
                points = [(r["epoch"] + 1, r[column]) for r in rows if isinstance(r.get(column), float)]
                if points:
                    label = column if len(runs) == 1 else f"{name} {column}"
                    style = "--" if column not in val else ("-", ":", "-.")[val.index(column) % 3]
                    colour = f"C{run if len(runs) > 1 else i}"
                    ax.plot(*zip(*points), style, color=colour, marker=".", label=label)
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if title == "learning rate":
            ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 3))
        if ax.lines:
            ax.legend(fontsize=7)
    return save(figure, path)


def confusion(counts: np.ndarray, classes: tuple[str, ...], path: Path) -> str:
    """Rows normalised to the share of each true class; counts written in cells when they fit."""
    k = len(classes)
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    size = min(max(4.0, 0.45 * k + 2), 16)
    figure, ax = plt.subplots(figsize=(size, size * 0.9))
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    figure.colorbar(image, ax=ax, fraction=0.046, label="share of the true class")
    ticks = np.arange(k)
    if k <= 40:
        ax.set_xticks(ticks, classes, rotation=90 if k > 10 else 0, fontsize=8)
        ax.set_yticks(ticks, classes, fontsize=8)
    if k <= 20:
        for t in range(k):
            for p in range(k):
                if counts[t, p]:
                    colour = "white" if share[t, p] > 0.5 else "black"
                    ax.text(p, t, int(counts[t, p]), ha="center", va="center", fontsize=7, color=colour)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return save(figure, path)


def reliability(calibration: Calibration, path: Path) -> str:
    figure, ax = plt.subplots(figsize=(4.2, 4))
    centres = (calibration.edges[:-1] + calibration.edges[1:]) / 2
    width = calibration.edges[1] - calibration.edges[0]
    filled = calibration.count > 0
    ax.bar(centres[filled], calibration.accuracy[filled], width=width * 0.9, label="accuracy", color="C0")
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfectly calibrated")
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(f"ECE {calibration.ece:.4f}")
    ax.legend(fontsize=7, loc="upper left")
    return save(figure, path)


def grid(
    images: list[np.ndarray],
    titles: list[str],
    correct: list[bool],
    path: Path,
    heat: np.ndarray | None = None,
    columns: int = 8,
) -> str:
    """Images (uint8, H x W x C) in rows of `columns`, each titled, green when right, red when
    wrong; with `heat`, each image's map (in [0, 1]) laid over it."""
    shown = [tiles.overlaid(im, heat[i]) if heat is not None else tiles.tile(im) for i, im in enumerate(images)]
    canvas, corners = tiles.mosaic(shown, columns, titled=True)
    figure, ax = pictured(canvas)
    for (x, y), title, right in zip(corners, titles, correct):
        short = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"
        ax.text(x, y - 3, short, fontsize=7, color="green" if right else "red", va="bottom")
    return save(figure, path)


def filters(weights: np.ndarray, path: Path, most: int = 32) -> str:
    """A convolution's first `most` filters (out, in, k, k), each scaled to its own range; in
    colour when they read three channels."""
    shown = []
    for w in weights[:most]:
        w = (w - w.min()) / max(float(w.max() - w.min()), 1e-12)
        rgb = w.transpose(1, 2, 0) if w.shape[0] == 3 else w.mean(axis=0, keepdims=True).transpose(1, 2, 0)
        shown.append(tiles.tile(np.round(rgb * 255).astype(np.uint8), size=32))
    return save(pictured(tiles.mosaic(shown, 16, titled=False)[0])[0], path)


def activations(depths: list[tuple[str, np.ndarray]], path: Path, channels: int = 8) -> str:
    """One row per depth, titled with the layer and its size: the first `channels` maps of one
    image's activations there."""
    rows = [[tiles.coloured(m, "viridis", size=64) for m in maps[:channels]] for _, maps in depths]
    columns = max(len(r) for r in rows)
    padded = [t for r in rows for t in r + [np.ones_like(r[0])] * (columns - len(r))]
    canvas, corners = tiles.mosaic(padded, columns, titled=True)
    figure, ax = pictured(canvas)
    for (name, maps), (x, y) in zip(depths, corners[::columns]):
        ax.text(x, y - 3, f"{name}: {maps.shape[0]} maps of {maps.shape[1]}x{maps.shape[2]}", fontsize=7, va="bottom")
    return save(figure, path)


def pictured(image: np.ndarray):
    """A figure the size of `image` in pixels, showing only it."""
    height, width = image.shape[:2]
    figure = plt.figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.imshow(image, interpolation="nearest")
    ax.axis("off")
    return figure, ax
