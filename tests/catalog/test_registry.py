"""Registries: closed, duplicate-free, parameters read from signatures, and in step with the
libraries they name."""

from typing import Annotated, Literal

import pytest

from runner.catalog import REGISTRIES
from runner.catalog.backbones import PADDLE, TORCHVISION, timm_names
from runner.catalog.registry import Param, Registry


def test_registering_a_name_twice_is_an_error():
    registry = Registry("thing", "things")

    @registry.register
    def spin():
        """Spin."""

    with pytest.raises(ValueError, match="registered twice"):
        registry.register(spin)


def test_parameters_come_from_the_signature():
    registry = Registry("thing", "things")

    @registry.register(backends=("lightning",))
    def crop(
        size: Annotated[int, Param("pixels", min=1)],
        mode: Literal["a", "b"] = "a",
        box: tuple[float, float] = (0.1, 0.9),
    ):
        """Crop."""

    params = registry.get("crop").params
    assert params["size"] == {"type": "integer", "meta": {"doc": "pixels"}, "min": 1, "required": True}
    assert params["mode"] == {"type": "string", "allowed": ["a", "b"], "meta": {"doc": ""}, "default": "a"}
    assert params["box"]["minlength"] == 2 and params["box"]["default"] == [0.1, 0.9]
    assert registry.names("paddle") == [] and registry.names("lightning") == ["crop"]


def test_every_entry_has_a_doc_and_documented_parameters():
    for registry in REGISTRIES.values():
        for entry in registry:
            assert entry.doc.endswith(".") or entry.doc.endswith(")"), entry.name
            for name, rule in entry.params.items():
                assert rule["meta"]["doc"], f"{entry.name}.{name} needs a doc"


def test_backbone_lists_match_the_installed_libraries():
    torchvision = pytest.importorskip("torchvision")
    assert sorted(TORCHVISION) == sorted(torchvision.models.list_models(module=torchvision.models))
    timm = pytest.importorskip("timm")
    assert timm_names() == frozenset(timm.list_models())


def test_paddle_backbone_list_matches_paddle_vision():
    models = pytest.importorskip("paddle.vision.models")
    classes = {"lenet": "LeNet"}  # paddle.vision.models.lenet is the module; the model is LeNet
    for name in PADDLE:
        assert callable(getattr(models, classes.get(name, name))), name
