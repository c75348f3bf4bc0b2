"""The run directory: a new, never reused directory holding everything to reproduce a run.

recipe.yaml (as given), resolved.yaml (every default filled; `runner run` on it reproduces the
run), overrides.txt, provenance.json, and, written by the backend, metrics.csv, checkpoints/ and
summary.json.
"""
import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from runner.errors import RunFailed
from runner.yaml_writer import dump

PACKAGES = ("runner", "torch", "torchvision", "lightning", "timm", "torchmetrics", "paddlepaddle",
            "numpy", "scikit-learn", "strictyaml", "cerberus")


def create(recipe) -> Path:
    """Make a fresh directory `<log.dir>/<name>-<UTC time>[-n]` and write the recipe files."""
    root = Path(recipe.data["log"]["dir"])
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise RunFailed(f"log.dir: cannot create {root} ({e.strerror}); choose a writable directory") from None
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    base = f"{recipe.data['name']}-{stamp}"
    for n in range(1000):
        path = root / (base if n == 0 else f"{base}-{n}")
        try:
            path.mkdir()  # fails if it exists, so two runs never share a directory
            break
        except FileExistsError:
            continue
        except OSError as e:
            raise RunFailed(f"log.dir: cannot write in {root} ({e.strerror}); choose a writable directory") from None
    else:
        raise FileExistsError(f"{root / base} and 999 numbered variants already exist")
    (path / "recipe.yaml").write_text(recipe.text)
    (path / "resolved.yaml").write_text(
        f"# Resolved from {recipe.path}" + (f" with {' '.join(recipe.overrides)}" if recipe.overrides else "")
        + f"; reproduce with: runner run {path / 'resolved.yaml'}\n" + dump(recipe.data))
    (path / "overrides.txt").write_text("".join(f"{o}\n" for o in recipe.overrides))
    (path / "provenance.json").write_text(json.dumps(provenance(recipe), indent=2) + "\n")
    return path


def provenance(recipe) -> dict:
    return {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "recipe": str(recipe.path),
        "overrides": recipe.overrides,
        "seed": recipe.data["seed"],
        "dataset": {"name": recipe.data["data"]["dataset"], "root": recipe.data["data"]["root"]},
        "git": _git(),
        "packages": {p: _version(p) for p in PACKAGES},
        "python": sys.version.split()[0],
        "hardware": {"machine": platform.machine(), "system": platform.system(),
                     "cpus": os.cpu_count(), "node": platform.node()},
        "command": sys.argv,
    }


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git() -> dict | None:
    """Commit and dirty flag of the working directory's repository, if it is one."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        if commit.returncode:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, timeout=5)
        return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.TimeoutExpired):
        return None
