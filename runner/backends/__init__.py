"""The two backends, lightning/ (PyTorch Lightning) and paddle/ (paddle.Model), and the hand-over
of a compiled Program to the one its recipe names. Both expose the same entry points.

May import runner.run, runner.data, runner.recipe and runner.catalog; each backend package its
own framework, lazily from here. The two backend packages never import each other.
"""

import importlib.util

from runner.recipe.errors import RecipeError, RecipeInvalid

# The packages each backend imports; `make install` (or pip's extras) installs them.
FRAMEWORKS = {"lightning": ("torch", "torchvision", "lightning"), "paddle": ("paddle",)}


def execute(recipe, program, dry_run: bool = False, resume=None) -> int:
    backend = _installed(recipe)
    if not dry_run:  # a dry run uses stand-in images and needs no data
        from runner.data.acquire import acquire

        acquire(recipe.data)
    if backend == "lightning":
        from runner.backends.lightning.execute import execute as run_lightning

        return run_lightning(recipe, program, dry_run=dry_run, resume=resume)
    from runner.backends.paddle.execute import execute as run_paddle

    return run_paddle(recipe, program, dry_run=dry_run, resume=resume)


def evaluate(recipe, program, checkpoint, split: str, out) -> str:
    """Score a checkpoint, write the result to `out` (JSON) and return the table to print."""
    from runner.run import scores

    backend = _installed(recipe)
    if backend == "lightning":
        from runner.backends.lightning.evaluate import evaluate as run_eval
    else:
        from runner.backends.paddle.evaluate import evaluate as run_eval
    return scores.table(run_eval(recipe, program, checkpoint, split, out))


def _installed(recipe) -> str:
    backend = recipe.data["backend"]
    missing = [m for m in FRAMEWORKS[backend] if importlib.util.find_spec(m) is None]
    if missing:
        raise RecipeInvalid(
            [
                RecipeError(
                    recipe.lines.where(("backend",)),
                    "backend",
                    f"the {backend} backend needs {', '.join(missing)}, which is not installed",
                    f"pip install 'runner[{backend}]' (make install installs both backends)",
                )
            ]
        )
    return backend
