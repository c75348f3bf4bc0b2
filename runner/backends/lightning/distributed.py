"""The processes an outside launcher started (torchrun, or srun's tasks; on one node or many)
join one process group before the run directory exists, so that rank 0 can tell the others which
directory it made. The Trainer then finds the group made and uses it (Lightning skips its own
init_process_group when one exists), with the address and port Lightning would have chosen."""

import os

import torch
import torch.distributed as dist
from lightning.fabric.plugins.environments import SLURMEnvironment, TorchElasticEnvironment

from runner.recipe.specs import HardwareSpec
from runner.run import launch, rundir


def connect(hw: HardwareSpec) -> rundir.Share | None:
    """Join the launcher's other processes; return how they share rank 0's run directory (None
    when this process runs alone, or is a worker the Trainer started from a `runner run` here)."""
    if launch.world() < 2 or rundir.shared() or dist.is_initialized():
        return None
    gpu = hw.accelerator == "gpu" or (hw.accelerator == "auto" and torch.cuda.is_available())
    if gpu:  # NCCL's broadcast runs on this process's own device
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", os.environ.get("SLURM_LOCALID", "0"))))
    environment = SLURMEnvironment() if launch.srun_task() else TorchElasticEnvironment()
    os.environ["MASTER_ADDR"] = environment.main_address
    os.environ["MASTER_PORT"] = str(environment.main_port)
    dist.init_process_group("nccl" if gpu else "gloo", rank=launch.rank(), world_size=launch.world())
    return _broadcast


def _broadcast(value: object) -> object:
    told = [value]
    dist.broadcast_object_list(told, src=0)
    return told[0]
