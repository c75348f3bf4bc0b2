"""Whether a run is going on: while its process trains, the run directory holds running.json (the
process id and host); the run's end (finished, or stopped on request) removes it, and a failure
writes its reason into it, as a sweep's pruner does when it ends a trial early. So a run without
summary.json is `running` (its process is alive on this host), `failed` (it said why), `pruned`,
or `interrupted` (stopped, or killed before it could say)."""

import json
import os
import platform
from pathlib import Path

from runner.recipe import reading
from runner.run import atomic, layout


def started(run_dir: Path) -> None:
    atomic.write_text(Path(run_dir) / layout.RUNNING, json.dumps({"pid": os.getpid(), "host": platform.node()}) + "\n")


def ended(run_dir: Path) -> None:
    (Path(run_dir) / layout.RUNNING).unlink(missing_ok=True)


def failed(run_dir: Path, why: str) -> None:
    marker = Path(run_dir) / layout.RUNNING
    if marker.is_file():
        atomic.write_text(marker, json.dumps({"failed": why}) + "\n")


def pruned(run_dir: Path, why: str) -> None:
    """A sweep's pruner ended the run early, on purpose: not a failure, and nothing to resume."""
    atomic.write_text(Path(run_dir) / layout.RUNNING, json.dumps({"pruned": why}) + "\n")


def state(run_dir: Path) -> str | None:
    """running, failed or pruned (with the reason after a colon), or None when no process claims the run."""
    try:
        marker = reading.read_json(Path(run_dir) / layout.RUNNING)
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict):
        return None
    if "failed" in marker:
        return f"failed: {marker['failed']}"
    if "pruned" in marker:
        return f"pruned: {marker['pruned']}"
    if marker.get("host") == platform.node() and isinstance(marker.get("pid"), int) and _alive(marker["pid"]):
        return "running"
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
