"""Hand a compiled Program to the backend its recipe names. Both expose `execute(recipe, program)`."""
import importlib.util

from runner.errors import RecipeError, RecipeInvalid

# The packages each backend imports; `make install` (or pip's extras) installs them.
FRAMEWORKS = {"lightning": ("torch", "torchvision", "lightning"), "paddle": ("paddle",)}


def execute(recipe, program, dry_run: bool = False) -> int:
    backend = recipe.data["backend"]
    missing = [m for m in FRAMEWORKS[backend] if importlib.util.find_spec(m) is None]
    if missing:
        raise RecipeInvalid([RecipeError(
            recipe.lines.where(("backend",)), "backend",
            f"the {backend} backend needs {', '.join(missing)}, which is not installed",
            f"pip install 'runner[{backend}]' (make install installs both backends)")])
    if backend == "lightning":
        from runner.lightning.execute import execute as run_lightning, unsupported

        missing = unsupported(recipe.data)
        if missing:
            raise RecipeInvalid([RecipeError(
                recipe.lines.where(("backend",)), "backend",
                f"this version's lightning backend does not build {', '.join(missing)} yet",
                "`runner show` prints the plan; the datasets digits and synthetic train today")])
        return run_lightning(recipe, program, dry_run=dry_run)
    if backend == "paddle" and importlib.util.find_spec("runner.paddle") is not None:
        from runner.paddle.execute import execute as run_paddle

        return run_paddle(recipe, program, dry_run=dry_run)
    raise RecipeInvalid([RecipeError(
        recipe.lines.where(("backend",)), "backend",
        f"this version of runner validates {backend} recipes but cannot train them yet",
        "`runner show` prints the plan it would run")])
