"""docker/ holds what its readers rely on: every Dockerfile passes hadolint with no finding at all;
the compose file is valid Compose (the Compose Specification's schema, and docker compose's own
check where its plugin is installed); its services build the Dockerfiles here, mount the project
and the data where the images look, and publish ports on this machine only; and the images make
`make install`'s pip installs, less the dev extra, with pyproject.toml's pins. No image is built:
that needs a Docker engine."""

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
import yaml
from packaging.requirements import Requirement

from tests.conftest import ROOT

DOCKER = ROOT / "docker"
DOCKERFILES = sorted(DOCKER.glob("Dockerfile.*"))
COMPOSE = DOCKER / "compose.yaml"
PROJECT_EXTRA = re.compile(r"^[/.][^\[\]]*\[([\w,]+)\]$")  # a path with extras: /work[lightning,sweep]


def tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{name} is not installed beside {sys.executable}; `make install` installs it (the dev extra)")
    return str(path)


def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), with continued lines joined and comments left out."""
    lines = [line for line in dockerfile.read_text().splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [tuple(line.split(None, 1)) for line in joined.splitlines() if line.strip()]


def pip_installs(dockerfile: Path) -> tuple[set[str], list[Requirement]]:
    """The project's extras and every other requirement that the image's `pip install`s name."""
    extras, requirements = set(), []
    for command in (c for name, args in instructions(dockerfile) if name == "RUN" for c in args.split("&&")):
        words = shlex.split(command)
        if words[:2] != ["pip", "install"]:
            continue
        for before, word in zip(words[1:], words[2:]):
            if word.startswith("-") or (before.startswith("--") and before.endswith("-url")):
                continue
            if project := PROJECT_EXTRA.match(word):
                extras |= set(project[1].split(","))
            else:
                requirements.append(Requirement(word))
    return extras, requirements


def pyproject_extras() -> dict[str, list[Requirement]]:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    return {name: [Requirement(r) for r in group] for name, group in extras.items()}


def make_install_extras() -> set[str]:
    (extras,) = re.findall(r"pip install --no-cache-dir -e '\.\[([\w,]+)\]'", (ROOT / "Makefile").read_text())
    return set(extras.split(","))


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_hadolint_finds_nothing(dockerfile):
    result = subprocess.run([tool("hadolint"), "--no-color", str(dockerfile)], capture_output=True, text=True)
    assert result.returncode == 0, f"hadolint {dockerfile.name}:\n{result.stdout}{result.stderr}"


def test_the_compose_file_is_valid_compose():
    schema = [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)]
    result = subprocess.run(schema, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        config = [docker, "compose", "-f", str(COMPOSE), "--profile", "*", "config", "-q"]
        result = subprocess.run(config, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_every_runner_service_builds_a_dockerfile_here():
    assert DOCKERFILES, "docker/ has no Dockerfile.*"
    for name, service in services().items():
        if "build" in service:
            context = (DOCKER / service["build"]["context"]).resolve()
            assert context / service["build"]["dockerfile"] in DOCKERFILES, name
        else:  # an image of ours without a build would be looked for on Docker Hub
            assert not service["image"].startswith("runner"), name


def test_the_project_and_the_data_are_mounted_where_the_images_look():
    for name, service in services().items():
        if "build" not in service:
            continue
        dockerfile = (DOCKER / service["build"]["context"]).resolve() / service["build"]["dockerfile"]
        workdir = [args for instruction, args in instructions(dockerfile) if instruction == "WORKDIR"][-1]
        env = " ".join(args for instruction, args in instructions(dockerfile) if instruction == "ENV")
        data = re.search(r"\bRUNNER_DATA=(\S+)", env)[1]
        targets = {source: target.split(":")[0] for source, target in (v.split(":", 1) for v in service["volumes"])}
        assert targets.get("..", workdir) == workdir and targets.get("../data", data) == data, name
        assert "working_dir" not in service, name  # the image's WORKDIR, where the project is mounted


def test_published_ports_are_this_machines_only():
    ports = [(name, port) for name, service in services().items() for port in service.get("ports", [])]
    assert ports and all(port.startswith("127.0.0.1:") for _, port in ports), ports


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_the_images_install_the_extras_make_install_does_less_dev(dockerfile):
    extras, requirements = pip_installs(dockerfile)
    installed = {str(r) for r in requirements}
    gpu_builds = {r.name.removesuffix("-gpu") for r in requirements if r.name.endswith("-gpu")}
    # An extra may be spelt out instead, its packages listed one by one, a -gpu build for a CPU one.
    spelt_out = {
        name
        for name, group in pyproject_extras().items()
        if name not in extras and all(str(r) in installed or r.name in gpu_builds for r in group)
    }
    assert extras | spelt_out == make_install_extras() - {"dev"}


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_a_gpu_build_has_no_cpu_build_beside_it(dockerfile):
    extras, requirements = pip_installs(dockerfile)
    gpu_builds = {r.name.removesuffix("-gpu") for r in requirements if r.name.endswith("-gpu")}
    named = {r.name for r in requirements} | {r.name for e in extras for r in pyproject_extras()[e]}
    assert gpu_builds & named == set()


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_the_images_pins_are_pyprojects(dockerfile):
    declared = {r.name: r for group in pyproject_extras().values() for r in group}
    _, requirements = pip_installs(dockerfile)
    pinned = [r for r in requirements if r.name in declared and any(s.operator == "==" for s in r.specifier)]
    assert {r.name for r in pinned} >= {"torch", "torchvision"}
    assert [str(r) for r in pinned] == [str(declared[r.name]) for r in pinned]
