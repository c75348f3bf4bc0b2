"""The processes paddle.distributed.launch started (on one node or many) share rank 0's run
directory over the process group init_parallel_env made, since no name is known to all of them
in advance (each node's launcher gives its workers only their own ranks)."""

import paddle

from runner.run import rundir


def share(world: int, path) -> rundir.Share | None:
    """How this process learns rank 0's run directory: None when it runs alone or its parent made
    the directory (`path`, paddle.distributed.spawn's workers)."""
    return _broadcast if world > 1 and path is None else None


def _broadcast(value: object) -> object:
    told = [value]
    paddle.distributed.broadcast_object_list(told, src=0)
    return told[0]
