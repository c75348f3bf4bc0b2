"""Where this process stands in a job, as its launcher says: torchrun (RANK, WORLD_SIZE),
paddle.distributed.launch (PADDLE_TRAINER_ID, PADDLE_TRAINERS_NUM) or srun (SLURM_PROCID,
SLURM_NTASKS). A launcher started inside an srun task (paddle.distributed.launch, one per node)
counts before srun's own variables, which then number the nodes, not the processes. SLURM's
variables count only in a process srun started as a task of a job step: a plain `runner run` in a
batch script sees the allocation's SLURM_NTASKS too, and is one whole run."""

import os

# Set by srun in each task it starts, and absent from the batch script itself.
SLURM_STEP = ("SLURM_STEP_ID", "SLURM_STEPID")


def srun_task() -> bool:
    return any(name in os.environ for name in SLURM_STEP)


def slurm_allocation() -> bool:
    """Inside a SLURM allocation but not started by srun as a task (a plain process)."""
    return "SLURM_JOB_ID" in os.environ and not srun_task()


def _names(*names: str) -> tuple[str, ...]:
    return tuple(n for n in names if srun_task() or not n.startswith("SLURM_"))


def rank() -> int:
    """This process's global rank as the launcher set it; 0 when run alone."""
    for name in _names("RANK", "PADDLE_TRAINER_ID", "SLURM_PROCID", "LOCAL_RANK"):
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return 0


def world() -> int:
    """How many processes the launcher started in all; 1 when run alone."""
    for name in _names("WORLD_SIZE", "PADDLE_TRAINERS_NUM", "SLURM_NTASKS"):
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return 1


def job_id() -> str | None:
    """An id every process of a multi-process job shares, when a launcher gave one (SLURM's job,
    torchrun's --rdzv-id, or PADDLE_JOB_ID when it is set for paddle.distributed.launch and its workers)."""
    for name in _names("SLURM_JOB_ID", "TORCHELASTIC_RUN_ID", "PADDLE_JOB_ID"):
        if os.environ.get(name, "none") not in ("none", "default"):
            return os.environ[name]
    return None


def rank_zero_host() -> str:
    """The address the launcher reaches rank 0 at: torchrun's and Lightning's MASTER_ADDR, or the
    first of paddle.distributed.launch's endpoints."""
    endpoints = os.environ.get("PADDLE_TRAINER_ENDPOINTS", "")
    return os.environ.get("MASTER_ADDR") or endpoints.split(",")[0].rpartition(":")[0] or "127.0.0.1"
