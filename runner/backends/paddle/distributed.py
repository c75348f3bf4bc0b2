"""The processes paddle.distributed.launch started (on one node or many) learn rank 0's run
directory, and where its watchdog listens, through the job's key-value store that
init_parallel_env connects every process to. Not through a collective: on a CPU those are gloo's,
which give up after 30 s, and a rank may reach the exchange later than that (its data prepared on
a busier node); the store's get waits as long as the launcher does (FLAGS_stop_check_timeout)."""

import itertools
import json

import paddle

from runner.run import rundir


def share(rank: int, world: int, path) -> rundir.Share | None:
    """How this process learns rank 0's run directory: None when it runs alone or its parent made
    the directory (`path`, paddle.distributed.spawn's workers)."""
    if world < 2 or path is not None:
        return None
    store, turns = paddle.base.core.create_or_get_global_tcp_store(), itertools.count()

    def exchange(value: object) -> object:
        key = f"runner/share/{next(turns)}"  # every rank calls in the same order
        if rank == 0:
            store.set(key, json.dumps(value))
            return value
        return json.loads(store.get(key))

    return exchange
