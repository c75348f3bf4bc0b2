"""The run directory's file names, in one place: everything that writes or reads a run directory
asks this module where a file lives.

    recipe.yaml       the recipe as given          resolved.yaml   every default filled
    overrides.txt     the command-line overrides   provenance.json commit, versions, hardware, data
    classes.json      the class names, in output order
    metrics.csv       one row per epoch            summary.json    final and best metrics
    running.json      while training (the process), or why it failed
    report/           the run's report (index.html and its images)
    tensorboard/      event files                  eval/           what `runner eval` wrote
    checkpoints/      the checkpoints and hashes.json (their SHA-256)
    export/           what `runner export` wrote: model.onnx, export.json (its contract and
                      check), samples/; export-native/ the same for the framework's own format
"""

from pathlib import Path

RECIPE = "recipe.yaml"
RESOLVED = "resolved.yaml"
OVERRIDES = "overrides.txt"
PROVENANCE = "provenance.json"
CLASSES = "classes.json"
METRICS = "metrics.csv"
SUMMARY = "summary.json"
RUNNING = "running.json"  # while a process trains the run (runner.run.activity)
TENSORBOARD = "tensorboard"
EVAL = "eval"
CHECKPOINTS = "checkpoints"
HASHES = "hashes.json"  # in checkpoints/
STATE = "state.json"  # in checkpoints/: a Paddle run's epoch, step and best score
EXPORTS = {"onnx": "export", "native": "export-native"}  # `runner export`'s folder, by format
EXPORT_MANIFEST = "export.json"  # in an export folder: its files, contract and check
EXPORT_MODEL = "model.onnx"  # in export/

# A Paddle checkpoint's tensors (weights, and the optimizer's in a generation) are safetensors,
# which hold only numbers and a JSON header; its generation's plain values are a .json beside it.
PADDLE = ".safetensors"
# paddle.save's pickles, which older runners wrote: unpickling runs any code a file holds, so they
# are loaded only with --trust.
PICKLED = (".pdparams", ".pdopt")

# The weights file of each backend's checkpoints (and older Paddle runs'), and the link to its
# newest one; in the order `runner eval` looks for them.
LAST = {".ckpt": "last.ckpt", PADDLE: f"last{PADDLE}", PICKLED[0]: f"last{PICKLED[0]}"}
CHECKPOINT_SUFFIXES = tuple(LAST)


def checkpoints(run_dir: Path) -> Path:
    return Path(run_dir) / CHECKPOINTS


def recorded_name(path: str | Path) -> str:
    """How summary.json names a checkpoint: relative to the run directory, so that the run reads
    the same after it is moved or read from another folder."""
    return f"{CHECKPOINTS}/{Path(path).name}"


def checkpoint_named(run_dir: Path, recorded: str | None) -> Path | None:
    """The checkpoint a summary names, looked up inside the run's own checkpoints/ folder (an older
    summary's absolute or working-folder path is read by its file name); None when it names none."""
    name = Path(recorded).name if recorded else ""
    if name in ("", ".", ".."):
        return None
    return checkpoints(run_dir) / name


def eval_result(run_dir: Path, checkpoint: Path, split: str) -> Path:
    return Path(run_dir) / EVAL / f"{checkpoint.stem}-{split}.json"
