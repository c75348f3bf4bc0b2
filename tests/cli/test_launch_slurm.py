"""`runner launch slurm`: the sbatch script it writes, run as sbatch would run it on a stand-in
SLURM (tests/cli/slurm_stand_ins.py): each task gets the command as written, and the tasks of both
backends train as one run."""

import csv
import json
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import slurm_stand_ins
from tests.conftest import ROOT

SMOKE = {"lightning": "recipes/smoke/synthetic.yaml", "paddle": "recipes/smoke/paddle_synthetic.yaml"}
NAMES = {"lightning": "smoke_synthetic", "paddle": "smoke_paddle_synthetic"}
# Words a shell would expand if the script let it: they must reach the task as typed.
UNSAFE = """description=it's "quoted" $(touch EVALUATED) `touch EVALUATED` $HOME"""
# Stands in for Python in a task: notes its arguments and SLURM's variables; anything else (the
# script's address lookup) goes to the real interpreter.
FAKE_PYTHON = f"""#!{sys.executable}
import json, os, sys
if sys.argv[1:3] in (["-m", "runner"], ["-m", "paddle.distributed.launch"]):
    seen = {{"argv": sys.argv[1:], "slurm": {{k: v for k, v in os.environ.items() if k.startswith("SLURM_")}}}}
    with open(os.path.join(os.environ["TASKS_SEEN"], f"{{os.getpid()}}.json"), "w") as file:
        json.dump(seen, file)
else:
    os.execv({sys.executable!r}, [{sys.executable!r}, *sys.argv[1:]])
"""


def launch(cli, backend, nodes, gpus, *more):
    result = cli("launch", "slurm", ROOT / SMOKE[backend], "--nodes", nodes, "--gpus-per-node", gpus, *more)
    assert result.code == 0, result.err
    path = Path(result.out.splitlines()[0].removeprefix("wrote "))
    assert result.out.splitlines()[1] == f"submit it with: sbatch {shlex.quote(str(path))}"
    return path, path.read_text()


def directives(text):
    return dict(
        line.removeprefix("#SBATCH --").split("=", 1) for line in text.splitlines() if line.startswith("#SBATCH")
    )


def srun_words(text):
    return shlex.split(text[text.index("\nsrun ") :].replace("\\\n", ""))  # bash joins continued lines


def sbatch(path, tmp_path, job_id, timeout):
    """`bash PATH` with the environment sbatch gives a batch script, the stand-ins first on PATH."""
    env = slurm_stand_ins.sbatch_environment(path.read_text(), job_id, tmp_path)
    env["PATH"] = f"{slurm_stand_ins.install(tmp_path / 'slurm-bin')}:{env['PATH']}"
    env["TASKS_SEEN"] = str(tmp_path)
    try:
        return subprocess.run(
            ["bash", path.resolve()], env=env, cwd="/", capture_output=True, text=True, timeout=timeout
        )
    finally:
        slurm_stand_ins.end_job(job_id)


@pytest.mark.parametrize("backend", SMOKE)
@pytest.mark.parametrize("gpus", [0, 4])
def test_sbatch_lines_ask_for_a_task_per_process_or_per_node(cli, tmp_path, monkeypatch, backend, gpus):
    monkeypatch.chdir(tmp_path)
    path, text = launch(cli, backend, 2, gpus, "--partition", "big gpu", "--time", "01:30:00", "data.num_workers=3")
    assert path.parent == Path("runs/slurm") and path.suffix == ".sbatch"
    per_node = max(gpus, 1)
    tasks = per_node if backend == "lightning" else 1
    want = {"job-name": NAMES[backend], "nodes": "2"}
    want |= {"ntasks-per-node": str(tasks), **({"gpus-per-node": str(gpus)} if gpus else {})}
    want |= {"cpus-per-task": str(per_node // tasks * 4), "partition": '"big gpu"', "time": "01:30:00"}
    want |= {"output": f"{tmp_path}/runs/slurm/%x-%j.out"}
    assert directives(text) == want
    assert text.startswith("#!/bin/bash\n") and f"\nset -euo pipefail\ncd {tmp_path}\n" in text
    words = srun_words(text)
    assert words[:3] == ["srun", "--kill-on-bad-exit=1", f"--cpus-per-task={per_node // tasks * 4}"]
    runner = {"lightning": [sys.executable, "-m", "runner"], "paddle": [str(Path(sys.executable).parent / "runner")]}
    accelerator = "gpu" if gpus else "cpu"
    hardware = ["hardware.num_nodes=2", f"hardware.devices={per_node}", f"hardware.accelerator={accelerator}"]
    tail = [*runner[backend], "run", str(ROOT / SMOKE[backend]), *hardware, "data.num_workers=3"]
    assert words[-len(tail) :] == tail
    if backend == "paddle":
        assert words[words.index("--nnodes") :][:4] == ["--nnodes", "2", "--nproc_per_node", str(per_node)]


@pytest.mark.parametrize("backend", SMOKE)
def test_each_task_gets_the_command_as_typed_and_its_own_rank(cli, tmp_path, monkeypatch, backend):
    (tmp_path / "bin").mkdir()
    monkeypatch.setattr(sys, "executable", str(slurm_stand_ins.executable(tmp_path / "bin/python", FAKE_PYTHON)))
    slurm_stand_ins.executable(tmp_path / "bin/runner", "#!/bin/sh\nexit 1\n")  # paddle's launcher is recorded instead
    monkeypatch.chdir(tmp_path)
    path, _ = launch(cli, backend, 2, 2, UNSAFE)
    job_id = slurm_stand_ins.free_job_id()
    result = sbatch(path, tmp_path, job_id, timeout=60)
    assert result.returncode == 0, result.stderr
    tasks = 4 if backend == "lightning" else 2
    assert f"stand-in srun: {tasks} tasks, exit codes {[0] * tasks}" in result.stderr
    seen = sorted(
        (json.loads(p.read_text()) for p in tmp_path.glob("*.json")), key=lambda s: s["slurm"]["SLURM_PROCID"]
    )
    command = ["run", str(ROOT / SMOKE[backend]), "hardware.num_nodes=2", "hardware.devices=2"]
    command += ["hardware.accelerator=gpu", UNSAFE]
    if backend == "lightning":  # a task per GPU, each its own rank
        assert [s["argv"] for s in seen] == [["-m", "runner", *command]] * 4
        ranks = [(s["slurm"]["SLURM_PROCID"], s["slurm"]["SLURM_LOCALID"], s["slurm"]["SLURM_NODEID"]) for s in seen]
        assert ranks == [("0", "0", "0"), ("1", "1", "0"), ("2", "0", "1"), ("3", "1", "1")]
    else:  # a launcher per node, told its node's rank and where node 0 hosts the rendezvous
        master = f"{socket.gethostbyname(socket.getfqdn('localhost'))}:{20000 + job_id % 10000}"
        logs = f"{tmp_path}/runs/slurm/{NAMES[backend]}-{job_id}-paddle"
        assert [s["argv"] for s in seen] == [
            ["-m", "paddle.distributed.launch", "--rank", str(node), "--log_dir", f"{logs}/node{node}", "--nnodes", "2"]
            + ["--nproc_per_node", "2", "--master", master, str(tmp_path / "bin" / "runner"), *command]
            for node in (0, 1)
        ]
    assert not list(tmp_path.rglob("EVALUATED"))


def test_a_mistake_in_the_recipe_is_reported_at_its_line_and_nothing_is_written(cli, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    recipe = write((ROOT / SMOKE["lightning"]).read_text().replace("name: adam", "name: adamw8"))
    result = cli("launch", "slurm", recipe, "--nodes", "2", "--gpus-per-node", "0", "hardware.devices=4")
    assert result.code == 2 and result.out == ""
    assert result.err.splitlines() == [
        f"{recipe}:30: optim.name: 'adamw8' is not a known optimizer; did you mean 'adamw'?",
        "override hardware.devices=4: --gpus-per-node sets hardware.devices (1 for this job); "
        "leave it out, or change --gpus-per-node",
    ]
    for nodes, gpus, wrong in ((0, 1, "--nodes 0"), (1, -1, "--gpus-per-node -1")):
        result = cli("launch", "slurm", ROOT / SMOKE["lightning"], "--nodes", nodes, "--gpus-per-node", gpus)
        assert result.code == 2 and result.err.startswith(f"runner launch: {wrong}: "), result.err
    result = cli("launch", "slurm", ROOT / SMOKE["lightning"], "--nodes", 1, "--gpus-per-node", 0, "--script", "no/x")
    assert result.code == 2 and result.err == "runner launch: --script no/x: directory no does not exist\n"
    assert not (tmp_path / "runs").exists()
    assert cli("launch", "slurm", ROOT / SMOKE["lightning"], "--nodes", "2", "--gpus-per-node", "0").code == 0


def test_a_script_is_never_written_over_a_file(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first, text = launch(cli, "lightning", 2, 0)
    second, again = launch(cli, "lightning", 2, 0)
    assert first != second and text == again and first.read_text() == text
    mine = tmp_path / "mine.sbatch"
    mine.write_text("mine")
    result = cli("launch", "slurm", ROOT / SMOKE["lightning"], "--nodes", "2", "--gpus-per-node", "0", "--script", mine)
    assert result.code == 2
    assert result.err == f"runner launch: {mine} already exists; choose another --script, or remove it\n"
    assert mine.read_text() == "mine"


def test_launch_imports_no_framework(tmp_path):
    args = ["launch", "slurm", str(ROOT / SMOKE["paddle"]), "--nodes", "2", "--gpus-per-node", "8"]
    code = (
        f"import sys\nfrom runner.cli import main\nassert main({args!r}) == 0\n"
        "print(sorted(m for m in ('torch', 'lightning', 'paddle', 'numpy') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.splitlines()[-1] == "[]", result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("backend", SMOKE)
def test_the_script_trains_one_run_across_two_nodes(cli, tmp_path, monkeypatch, backend):
    monkeypatch.chdir(tmp_path)
    path, _ = launch(cli, backend, 2, 0, "train.epochs=2", "log.report=false")
    job_id = slurm_stand_ins.free_job_id()
    result = sbatch(path, tmp_path, job_id, timeout=300)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert "stand-in srun: 2 tasks, exit codes [0, 0]" in result.stderr
    runs = [p for p in (tmp_path / "runs").iterdir() if p.name != "slurm"]
    assert [p.name for p in runs] == [f"{NAMES[backend]}-job{job_id}"]  # both nodes joined rank 0's
    summary = json.loads((runs[0] / "summary.json").read_text())
    assert summary["steps"] == 2 * 512 // 32  # data.batch_size counts the images of both processes
    assert len(list(csv.DictReader((runs[0] / "metrics.csv").open()))) == 2  # rank 0 alone writes rows
