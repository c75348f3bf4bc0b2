"""SLURM on one machine, for running the scripts `runner launch slurm` writes: stand-in `srun` and
`scontrol` commands, the environment sbatch gives a batch script, and a way to end every process
of a job. The "nodes" are all this machine, named localhost."""

import os
import random
import re
import signal
import socket
import stat
import sys
from pathlib import Path

# Starts SLURM_NNODES x ntasks-per-node tasks of its command here, each with the variables srun
# sets in a task; waits for all, and when one fails ends the rest (as --kill-on-bad-exit=1 does).
SRUN = """\
import os, subprocess, sys, time

args = sys.argv[1:]
options = {}
while args and args[0].startswith("--"):
    key, _, value = args.pop(0)[2:].partition("=")
    options[key] = value
nodes = int(os.environ["SLURM_NNODES"])
per_node = int(options.get("ntasks-per-node", os.environ["SLURM_NTASKS_PER_NODE"]))
total = nodes * per_node
tasks = []
for rank in range(total):
    env = dict(
        os.environ,
        SLURM_STEP_ID="0", SLURM_STEPID="0", SLURM_PROCID=str(rank), SLURM_LOCALID=str(rank % per_node),
        SLURM_NODEID=str(rank // per_node), SLURM_NTASKS=str(total), SLURM_NPROCS=str(total),
        SLURM_STEP_NUM_TASKS=str(total), SLURM_STEP_NUM_NODES=str(nodes), SLURM_NTASKS_PER_NODE=str(per_node),
        SLURM_TASKS_PER_NODE=f"{per_node}(x{nodes})", SLURM_NODELIST=os.environ["SLURM_JOB_NODELIST"],
        SLURM_STEP_NODELIST=os.environ["SLURM_JOB_NODELIST"], SLURMD_NODENAME="localhost",
        SLURM_CPUS_PER_TASK=options.get("cpus-per-task", os.environ.get("SLURM_CPUS_PER_TASK", "1")),
    )
    tasks.append(subprocess.Popen(args, env=env))
while any(task.poll() is None for task in tasks) and not any(task.poll() for task in tasks):
    time.sleep(0.2)
for task in tasks:
    if task.poll() is None:
        task.terminate()
for task in tasks:
    try:
        task.wait(timeout=20)
    except subprocess.TimeoutExpired:
        task.kill()
        task.wait()
codes = [task.returncode for task in tasks]
print(f"stand-in srun: {total} tasks, exit codes {codes}", file=sys.stderr)
sys.exit(1 if any(codes) else 0)
"""

# `scontrol show hostnames LIST`: the names of a plain comma-separated list, one a line.
SCONTROL = """\
import sys

assert sys.argv[1:3] == ["show", "hostnames"], sys.argv
print("\\n".join(sys.argv[3].split(",")))
"""


def install(folder: Path) -> Path:
    """Write srun and scontrol into `folder` (to go first on PATH), and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, code in (("srun", SRUN), ("scontrol", SCONTROL)):
        executable(folder / name, f"#!{sys.executable}\n{code}")
    return folder


def executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def sbatch_environment(script: str, job_id: int, submit_dir: Path) -> dict:
    """What sbatch sets in a batch script's environment for the script's #SBATCH lines: the
    allocation's, no task's (no SLURM_STEP_ID); every other launcher's variables left out."""
    options = dict(re.findall(r"^#SBATCH --([\w-]+)=(.*)$", script, re.M))
    nodes, per_node = int(options["nodes"]), int(options["ntasks-per-node"])
    nodelist = ",".join(["localhost"] * nodes)  # Lightning's address and scontrol both take the first
    launchers = ("SLURM", "PADDLE", "TORCHELASTIC", "RUNNER_RUN_DIR")
    plain = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")
    env = {k: v for k, v in os.environ.items() if not k.startswith(launchers) and k not in plain}
    return env | {
        "SLURM_JOB_ID": str(job_id),
        "SLURM_JOBID": str(job_id),
        "SLURM_JOB_NAME": options["job-name"],
        "SLURM_NNODES": str(nodes),
        "SLURM_JOB_NUM_NODES": str(nodes),
        "SLURM_JOB_NODELIST": nodelist,
        "SLURM_NODELIST": nodelist,
        "SLURM_NTASKS": str(nodes * per_node),
        "SLURM_NPROCS": str(nodes * per_node),
        "SLURM_NTASKS_PER_NODE": str(per_node),
        "SLURM_TASKS_PER_NODE": f"{per_node}(x{nodes})",
        "SLURM_CPUS_PER_TASK": options["cpus-per-task"],
        "SLURM_SUBMIT_DIR": str(submit_dir),
        "SLURM_NODEID": "0",
        "SLURM_PROCID": "0",
        "SLURM_LOCALID": "0",
        "SLURMD_NODENAME": "localhost",
    }


def free_job_id() -> int:
    """A job id whose ports are free here: Lightning's (15000 + its last 4 digits) and the
    script's Paddle rendezvous (20000 + id % 10000)."""
    while True:
        last = random.randrange(10000)
        if all(_free(port) for port in (15000 + last, 20000 + last)):
            return 7_000_000 + last


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("", port))
            return True
        except OSError:
            return False


def end_job(job_id: int) -> None:
    """Kill every process of ours that carries this job's SLURM_JOB_ID (Paddle starts its workers
    in sessions of their own, out of reach of a process group)."""
    marker = f"SLURM_JOB_ID={job_id}\0".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if entry.stat().st_uid == os.getuid() and marker in (entry / "environ").read_bytes():
                os.kill(int(entry.name), signal.SIGKILL)
        except OSError:
            continue  # gone already, or not ours to read
