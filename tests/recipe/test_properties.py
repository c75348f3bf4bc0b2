"""Property tests: a mutated valid recipe either validates or yields located recipe errors;
no other exception ever escapes, whatever the mutation or override."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.recipe.errors import RecipeInvalid
from runner.recipe.stages import load_recipe
from tests.conftest import QUICKSTART

LINES = QUICKSTART.splitlines()
LOCATED = re.compile(r"(.+:\d+|override .+)", re.DOTALL)
KEYS = [
    "model",
    "data",
    "optim",
    "train",
    "hardware",
    "name",
    "lr",
    "epochs",
    "padding",
    "batch_size",
    "backbone",
    "dataset",
    "precision",
    "augment",
    "seed",
]
values = st.one_of(
    st.text(max_size=12),
    st.integers().map(str),
    st.floats().map(str),
    st.sampled_from(["true", "NO", "auto", "", "-", "- x", "{}", "[1]", "~", "'x'"]),
)


@st.composite
def mutated(draw):
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["value", "delete", "insert", "indent", "key"]))
        if kind == "value" and ":" in lines[i]:
            lines[i] = lines[i].split(":", 1)[0] + ": " + draw(values)
        elif kind == "delete":
            del lines[i]
        elif kind == "insert":
            lines.insert(
                i, " " * draw(st.sampled_from([0, 2, 4, 6])) + draw(st.sampled_from(KEYS)) + ": " + draw(values)
            )
        elif kind == "indent":
            lines[i] = " " * draw(st.integers(0, 3)) + lines[i]
        elif kind == "key" and ":" in lines[i]:
            indent = len(lines[i]) - len(lines[i].lstrip())
            lines[i] = " " * indent + draw(st.text(min_size=1, max_size=8)) + ":" + lines[i].split(":", 1)[1]
        if not lines:
            lines = [""]
    return "\n".join(lines) + "\n"


def check(path, overrides=()):
    try:
        recipe = load_recipe(str(path), list(overrides))
    except RecipeInvalid as invalid:
        assert invalid.errors
        for error in invalid.errors:
            assert LOCATED.fullmatch(error.where), error
            assert error.problem
        return None
    return recipe


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutated())
def test_mutated_recipes_validate_or_fail_with_located_errors(text, tmp_path):
    path = tmp_path / "m.yaml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    recipe = check(path)
    if recipe is not None:
        assert recipe.data["schema_version"] == 1


override_keys = st.sampled_from(
    [
        "train.epochs",
        "optim.lr",
        "data.batch_size",
        "model.backbone",
        "augment.train.0.padding",
        "augment.eval.3.name",
        "hardware.devices",
        "schedule.milestones",
        "x.y",
        "seed",
        "model",
        "data.dataset",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(override_keys, values), max_size=4))
def test_any_overrides_validate_or_fail_with_located_errors(pairs, tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(QUICKSTART)
    check(path, [f"{k}={v}" for k, v in pairs])
