"""The two backends, lightning/ (PyTorch Lightning) and paddle/ (paddle.Model), and the hand-over
of a compiled Program to the one its recipe names. Each backend's entry.py offers the same
entry points: train, dry_run, load_for_inference, evaluate, sight and the exports; the code both share and that is
not tensor code (the input probe, the Inference they return) lives beside this module.

May import runner.run, runner.data, runner.recipe and runner.catalog; each backend package imports
its own framework, and is imported from here only when a command needs it. The two backend
packages never import each other.
"""

import importlib.util
from pathlib import Path

from runner.backends.inference import Inference, Sight
from runner.data.acquire import acquire
from runner.data.arrays import class_names
from runner.data.identity import identity
from runner.recipe import reading
from runner.recipe.compile import Program, with_classes
from runner.recipe.errors import RecipeError, RecipeInvalid, RunFailed
from runner.recipe.stages import Recipe, compile_file
from runner.run import checkpoint_choice, layout
from runner.run.lifecycle import Lifecycle, Outcome, Pruned
from runner.run.scores import Tally

# The packages each backend imports; `make install` (or pip's extras) installs them.
FRAMEWORKS = {"lightning": ("torch", "torchvision", "lightning"), "paddle": ("paddle",)}


def _lightning():
    from runner.backends.lightning import entry

    return entry


def _paddle():
    from runner.backends.paddle import entry

    return entry


ENTRIES = {"lightning": _lightning, "paddle": _paddle}


def train(
    recipe: Recipe,
    program: Program,
    resume: Path | None = None,
    trust: bool = False,
    endings: tuple = (),
    watch=None,
    folder: str | None = None,
) -> Outcome:
    """Train `program` into a new run directory (or continue `resume`'s), its data made present
    first; the Outcome says where, with what result, and whether it was stopped or pruned.
    `watch` and `folder`: as runner.run.lifecycle.Lifecycle takes them (a sweep's trials)."""
    entry = _entry(program)
    acquire(program.data)
    run = Lifecycle(
        recipe, identity(program.data), resume=resume, trust=trust, endings=endings, watch=watch, folder=folder
    )
    try:
        return entry.train(program, run)
    except Pruned as pruned:
        return run.pruned(pruned)
    except Exception as e:
        run.failed(e)
        raise


def dry_run(program: Program) -> Outcome:
    """Build every component and take one training and one validation step on stand-in images."""
    _entry(program).dry_run(program)
    return Outcome(None)


def load_for_inference(
    run_dir: Path, checkpoint: Path | None = None, trust: bool = False, program: Program | None = None
) -> Inference:
    """The network a run trained, from `checkpoint` (default: the one `runner eval` scores), in eval
    mode with the run's eval preprocessing and class names. Its data need not be on this machine
    when the run saved classes.json. `program`: the run's resolved recipe, when already compiled."""
    program = program or compile_file(str(Path(run_dir) / layout.RESOLVED))[1]
    if checkpoint is None:
        checkpoint = checkpoint_choice.for_scoring(run_dir, program.loop.monitor)[0]
    program, classes = _with_classes(program, Path(run_dir))
    return _entry(program).load_for_inference(program, checkpoint, trust, classes)


def evaluate(inference: Inference, split: str) -> Tally:
    """Score an Inference on the run's validation images ("val") or the dataset's test split."""
    return _entry(inference.program).evaluate(inference, split)


def sight(inference: Inference, images, targets=None) -> Sight:
    """Grad-CAM of uint8 `images` (through the Inference's sample_steps) for the `targets` classes,
    the first convolution's filters and the first image's activations at a few depths. Without
    `targets` (detection, segmentation): the filters and activations alone."""
    return _entry(inference.program).sight(inference, images, targets)


def export_onnx(inference: Inference, path: Path, example, opset: int, free_size: bool) -> None:
    """Write the Inference's network, with its task's ending, to `path` as ONNX traced on `example`
    (float32 prepared inputs); height and width stay free with `free_size`."""
    _entry(inference.program).export_onnx(inference, path, example, opset, free_size)


def export_native(inference: Inference, folder: Path, example, free_size: bool) -> Path:
    """Write the network in its framework's inference format (TorchScript; paddle.jit.save) into
    `folder`; the file to load it from."""
    return _entry(inference.program).export_native(inference, folder, example, free_size)


def run_native(program: Program, path: Path, inputs):
    """What an export_native file answers for float32 prepared inputs, as numpy."""
    return _entry(program).run_native(path, inputs)


def _with_classes(program: Program, run_dir: Path) -> tuple[Program, tuple[str, ...]]:
    """The Program with as many outputs as the run's classes, and their names: from classes.json,
    else counted from the data (runs from before classes.json)."""
    saved = run_dir / layout.CLASSES
    if saved.is_file():
        try:
            classes = tuple(str(c) for c in reading.read_json(saved))
        except (OSError, ValueError, TypeError) as e:
            raise RunFailed(f"{saved} cannot be read ({e}); delete it to count the classes from the data") from None
        return with_classes(program, len(classes)), classes
    if program.num_classes is None:
        from runner.data import imagefiles

        files, program = imagefiles.split(program, fetch=False)
        return program, files.classes
    return program, class_names(program.data, program.num_classes)


def _entry(program: Program):
    """The entry module of the program's backend, once the packages the run needs are known to be
    installed: the backend's frameworks, tensorboard when the recipe logs to it, and the
    experiment trackers it enables."""
    backend, errors = program.backend, []
    missing = [m for m in FRAMEWORKS[backend] if not installed(m)]
    if missing:
        errors.append(
            RecipeError(
                program.where("backend"),
                "backend",
                f"the {backend} backend needs {', '.join(missing)}, which is not installed",
                f"pip install 'runner[{backend}]' (make install installs both backends)",
            )
        )
    if program.log.tensorboard and not installed("tensorboard"):
        errors.append(
            RecipeError(
                program.where("log", "tensorboard"),
                "log.tensorboard",
                "TensorBoard event files need the tensorboard package, which is not installed",
                "pip install tensorboard, or set log.tensorboard: false",
            )
        )
    errors += [
        RecipeError(
            program.where("log", tracker, "enabled"),
            f"log.{tracker}.enabled",
            f"logging to {title} needs {', '.join(missing)}, which is not installed",
            f"pip install 'runner[{tracker}]', or set log.{tracker}.enabled: false",
        )
        for tracker, title, missing in _trackers_missing(program)
    ]
    if errors:
        raise RecipeInvalid(errors)
    return ENTRIES[backend]()


# MLflow keeps runs in a database through SQLAlchemy and Alembic (runner[mlflow] installs both),
# for its own local default (sqlite:///mlflow.db) as for any database URI.
MLFLOW_DATABASES = ("sqlite", "postgresql", "mysql", "mssql")


def _trackers_missing(program: Program) -> list[tuple[str, str, list[str]]]:
    """(tracker, its name, the packages it lacks) for each tracker the recipe enables."""
    mlflow, wandb, found = program.log.mlflow, program.log.wandb, []
    if mlflow.enabled:
        database = mlflow.tracking_uri.split(":", 1)[0].split("+", 1)[0] in MLFLOW_DATABASES
        needs = ("mlflow", *(("sqlalchemy", "alembic") if database else ()))
        found.append(("mlflow", "MLflow", [p for p in needs if not installed(p)]))
    if wandb.enabled:
        found.append(("wandb", "Weights & Biases", [p for p in ("wandb",) if not installed(p)]))
    return [(tracker, title, missing) for tracker, title, missing in found if missing]


def installed(package: str) -> bool:
    """Whether `package` can be imported here (a package blocked or half-removed counts as absent)."""
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False
