"""The sbatch script that trains a recipe on several nodes (`runner launch slurm` writes it).

Every word from the user (recipe path, overrides, log.dir, working folder) is quoted: the job runs
the command as given and evaluates none of it. It runs the Python that wrote it, from the folder it
was written in, so it uses this installation and relative paths resolve as they did there.
"""

import os
import re
import shlex
from dataclasses import dataclass

FOLDER = "slurm"  # under log.dir: the scripts and the jobs' output


@dataclass(frozen=True)
class Job:
    recipe: str  # as given on the command line: relative to `workdir`
    overrides: tuple[str, ...]  # hardware_overrides', then the user's
    name: str  # the recipe's: the job's name
    backend: str
    nodes: int
    gpus: int  # per node; 0: one CPU process per node
    num_workers: int  # data.num_workers: loader processes beside each training process
    folder: str  # absolute <log.dir>/slurm: the job's output goes there
    workdir: str  # absolute: where `runner launch` ran
    python: str  # absolute: sys.executable of the runner that wrote the script
    partition: str = ""
    time: str = ""


class Shell(str):
    """Shell text written as it is, for the shell to expand: never user data."""


def hardware_overrides(nodes: int, gpus: int) -> dict[str, str]:
    """The recipe keys a job's shape sets (the command line's flags own them)."""
    accelerator = "gpu" if gpus else "cpu"
    return {"hardware.num_nodes": str(nodes), "hardware.devices": str(gpus or 1), "hardware.accelerator": accelerator}


def runner_script(python: str) -> str:
    """The `runner` console script beside `python`: paddle.distributed.launch runs a script, not -m."""
    return os.path.join(os.path.dirname(python), "runner")


def script(job: Job) -> str:
    """The sbatch script's text; ValueError for a value no #SBATCH line can hold."""
    directives = {
        "job-name": job.name,
        "nodes": job.nodes,
        "ntasks-per-node": max(job.gpus, 1) // processes_per_task(job),
        "gpus-per-node": job.gpus or None,
        "cpus-per-task": cpus_per_task(job),
        "partition": job.partition or None,
        "time": job.time or None,
        # %x: the job's name, %j: its id; a % of the folder's own is written %%
        "output": f"{job.folder.replace('%', '%%')}/%x-%j.out",
    }
    shape = f"{job.gpus} GPUs" if job.gpus else "1 CPU process"
    return "\n".join(
        [
            "#!/bin/bash",
            f"# {job.name} on {job.nodes} nodes x {shape} each ({job.backend}), written by `runner launch slurm`.",
            *(f"#SBATCH --{key}={_directive(key, value)}" for key, value in directives.items() if value is not None),
            "",
            "set -euo pipefail",
            f"cd {shlex.quote(job.workdir)}",
            "export PYTHONUNBUFFERED=1  # each epoch's line reaches the output file when it is printed",
            *LINES[job.backend](job),
            "",
        ]
    )


# srun starts a task per GPU, or a task per node whose launcher starts a process per GPU there.
TASK_PER_GPU = {"lightning": True, "paddle": False}


def processes_per_task(job: Job) -> int:
    return 1 if TASK_PER_GPU[job.backend] else max(job.gpus, 1)


def cpus_per_task(job: Job) -> int:
    """Each training process of a task, and its data workers."""
    return processes_per_task(job) * (job.num_workers + 1)


def _srun(job: Job) -> list[str]:
    # srun is given --cpus-per-task itself: Slurm 22.05 to 23.02 do not pass sbatch's on to it.
    return ["srun", "--kill-on-bad-exit=1", f"--cpus-per-task={cpus_per_task(job)}"]


def _lightning(job: Job) -> list[str]:
    return [
        "# One task per GPU: Lightning's SLURMEnvironment takes each task's rank from SLURM_PROCID,",
        "# SLURM_LOCALID and SLURM_NODEID, its address from SLURM_NODELIST, its port from SLURM_JOB_ID.",
        _command(_srun(job), [job.python, "-m", "runner", "run", job.recipe], job.overrides),
    ]


# Run by bash in each task, where srun has set SLURM_NODEID: $1 the Python, $2 the logs' folder.
PADDLE_TASK = 'exec "$1" -m paddle.distributed.launch --rank "$SLURM_NODEID" --log_dir "$2/node$SLURM_NODEID" "${@:3}"'


def _paddle(job: Job) -> list[str]:
    python = shlex.quote(job.python)
    logs = Shell(shlex.quote(f"{job.folder}/{job.name}-") + '"$SLURM_JOB_ID"-paddle')
    return [
        "# The first node's address as Paddle finds its own (gethostbyname(getfqdn(...))), so that it",
        "# hosts the rendezvous; sed, not head, which could stop scontrol early and fail the pipe.",
        'first_host=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | sed -n 1p)',
        f"master_ip=$({python} -c 'import socket, sys; print(socket.gethostbyname(socket.getfqdn(sys.argv[1])))'"
        ' "$first_host")',
        "# One task per node: paddle.distributed.launch starts a process per GPU there; each node's",
        "# processes log to <log.dir>/slurm/<name>-<job id>-paddle/node<N>/.",
        _command(
            _srun(job),
            ["bash", "-c", PADDLE_TASK],
            ["paddle-task", job.python, logs],
            ["--nnodes", str(job.nodes), "--nproc_per_node", str(processes_per_task(job))],
            ["--master", Shell('"$master_ip:$((20000 + SLURM_JOB_ID % 10000))"')],  # a port of the job's own
            [runner_script(job.python), "run", job.recipe],
            job.overrides,
        ),
    ]


LINES = {"lightning": _lightning, "paddle": _paddle}  # each backend's way of starting its processes


def _command(*groups) -> str:
    """One shell command, a group of words a line; each word quoted unless it is Shell text."""
    words = [" ".join(w if isinstance(w, Shell) else shlex.quote(w) for w in group) for group in groups if group]
    return " \\\n    ".join(words)


# Words sbatch reads from a #SBATCH line as they are; anything else goes in double quotes, with
# its own quotes, backslashes and #s escaped (sbatch's own parser, not the shell, reads these lines).
_PLAIN = re.compile(r"[\w@%+=:,./-]+")


def _directive(key: str, value) -> str:
    text = str(value)
    if "\n" in text or "\r" in text:
        raise ValueError(f"--{key}: {text!r} holds a line break, which an #SBATCH line cannot")
    if _PLAIN.fullmatch(text):
        return text
    return '"' + re.sub(r'(["\\#])', r"\\\1", text) + '"'
