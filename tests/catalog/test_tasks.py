"""Tasks: one description per task that the schema, the registries, the checks and both backends
share. A component serves the tasks its registry entry names; the checkpoint monitor is one of the
task's metrics, ranked in the direction the task gives it."""

import pytest

from runner.catalog import optimizers
from runner.catalog.registry import Registry
from runner.catalog.tasks import TASKS
from runner.recipe import schema
from tests.conftest import QUICKSTART


def test_the_schema_offers_exactly_the_catalogs_tasks():
    assert schema.recipe_rules()["task"]["allowed"] == list(TASKS)


def test_a_component_names_only_known_tasks():
    registry = Registry("thing", "things")
    with pytest.raises(ValueError, match="unknown tasks"):

        @registry.register(tasks=("juggling",))
        def spin():
            """Spin."""


def test_a_component_that_does_not_serve_the_task_is_refused_at_its_line(write, cli, monkeypatch):
    monkeypatch.setattr(optimizers.get("adamw"), "tasks", ())
    path = write(QUICKSTART)
    result = cli("validate", path)
    line = QUICKSTART.splitlines().index("  name: adamw") + 1
    assert result.code == 2
    assert f"{path}:{line}: optim.name: optimizer 'adamw' does not serve task classification;" in result.err


def test_the_monitor_is_a_metric_of_the_task_ranked_its_way(write, cli):
    path = write(QUICKSTART)
    assert cli("validate", path, "train.checkpoint.monitor=val_loss", "train.checkpoint.mode=min").code == 0
    wrong = cli("validate", path, "train.checkpoint.monitor=val_loss", "train.checkpoint.mode=max")
    assert wrong.code == 2 and "val_loss is better when lower; set mode: min" in wrong.err
    for task in TASKS.values():
        assert {m.better for m in task.metrics} <= {"min", "max"} and task.monitor in task.metric_names
