"""The dependencies pyproject.toml declares are what the code uses: every third-party package the
package imports is declared where its importer lives (the framework-free rooms in the core list,
each backend in its extra), every declared package is imported or named here with the reason
it is needed, and the version floors are the ones the code needs."""

import ast
import functools
import inspect
import sys
from importlib import metadata

import tomllib
from packaging.requirements import Requirement
from packaging.version import Version

from tests.conftest import ROOT

# Declared, never imported by runner itself, and why each is needed.
USED_WITHOUT_IMPORT = {
    "rich": "Lightning's RichProgressBar draws the progress bar on a terminal",
    "sqlalchemy": "MLflow's SQLite store (log.mlflow's default tracking_uri)",
    "alembic": "MLflow's SQLite store creates its tables with it",
}
# The experiment trackers' extras, which either backend imports when a recipe enables one.
TRACKERS = ("mlflow", "wandb")
# Imported by the framework-free rooms only for a run, which every backend's extra installs.
RUN_ONLY = {
    "scikit-learn": "the digits dataset",
    "tensorboard": "event files (log.tensorboard)",
    "matplotlib": "the report's figures (runner report, log.report)",
    "pycocotools": "COCO-format annotations (detection, segmentation)",
    "albumentations": "detection and segmentation's per-image steps",
}
# The deploy extra's packages that runner/deploy reaches without importing them, and why.
DEPLOY_WITHOUT_IMPORT = {
    "onnxscript": "torch.onnx.export's exporter (Lightning runs)",
    "paddle2onnx": "paddle.onnx.export (Paddle runs)",
    "python-multipart": "FastAPI's form parsing: POST /predict's `image` field",
}
# The lowest version of each package that has what the code calls.
FLOORS = {"lightning": "2.6"}  # Trainer.fit(weights_only=...)


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def requirements(group: list[str]) -> dict[str, Requirement]:
    return {Requirement(r).name.lower(): Requirement(r) for r in group}


@functools.cache
def owners_of_modules() -> dict[str, list[str]]:
    """Top-level module -> the installed distributions that provide it (a scan of every installed
    distribution's files, so made once)."""
    return metadata.packages_distributions()


@functools.cache
def imported_distributions(folder) -> frozenset[str]:
    """The distributions whose modules the .py files under `folder` import."""
    owners = owners_of_modules()
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top != "runner" and top not in sys.stdlib_module_names:
                    found |= {d.lower() for d in owners.get(top, [top])}
    return frozenset(found)


def framework_free() -> set[str]:
    package = ROOT / "runner"
    found = set()
    for room in ("catalog", "recipe", "data", "run", "report", "cli"):
        found |= imported_distributions(package / room)
    return found


def test_every_import_is_declared_where_its_importer_lives():
    core, extras = requirements(project()["dependencies"]), project()["optional-dependencies"]
    every_backend = set.intersection(*(set(requirements(extras[b])) for b in ("lightning", "paddle")))
    assert framework_free() - set(core) - (every_backend & set(RUN_ONLY)) == set()
    trackers = set().union(*(requirements(extras[t]) for t in TRACKERS))
    for backend in ("lightning", "paddle"):
        imported = imported_distributions(ROOT / "runner" / "backends" / backend)
        assert imported - set(core) - set(requirements(extras[backend])) - trackers == set(), backend


def test_every_declared_dependency_is_used():
    core, extras = requirements(project()["dependencies"]), project()["optional-dependencies"]
    assert set(core) <= framework_free(), "a core dependency the framework-free code never imports"
    for backend in ("lightning", "paddle"):
        used = imported_distributions(ROOT / "runner" / "backends" / backend) | framework_free()
        unused = set(requirements(extras[backend])) - used - set(USED_WITHOUT_IMPORT)
        assert unused == set(), backend
    backends = imported_distributions(ROOT / "runner" / "backends")
    for tracker in TRACKERS:  # Lightning reaches them through its own loggers, Paddle imports them
        unused = set(requirements(extras[tracker])) - backends - set(USED_WITHOUT_IMPORT)
        assert unused == set(), tracker


def test_the_deploy_extra_is_what_deploy_imports():
    core, deploy = requirements(project()["dependencies"]), requirements(project()["optional-dependencies"]["deploy"])
    imported = imported_distributions(ROOT / "runner" / "deploy")
    assert imported - set(core) - set(deploy) == set()
    assert set(deploy) - imported - set(DEPLOY_WITHOUT_IMPORT) == set()


def test_version_floors_admit_only_versions_with_what_the_code_calls():
    import lightning.pytorch as pl

    assert "weights_only" in inspect.signature(pl.Trainer.fit).parameters
    extras = project()["optional-dependencies"]
    for name, floor in FLOORS.items():
        for backend, group in extras.items():
            requirement = requirements(group).get(name)
            if requirement:
                lowest = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==", "~=")]
                assert lowest and min(lowest) >= Version(floor), (backend, str(requirement))
