"""What a process of a run spread over several processes (and nodes) says when another one is
gone. The collective libraries report it as a closed connection to an address in the middle of a
long traceback (Lightning's gloo), or abort with a C++ trace (Paddle's reducer); the runner says
instead which rank it lost and how to continue."""

import re

from runner.recipe.errors import RunFailed

# Gloo's, NCCL's and the c10d store's words for a peer whose process ended.
SIGNS = ("Connection closed by peer", "Connection reset by peer", "Broken pipe", "Failed to recv", "failed to recv")
ADDRESS = re.compile(r"\[([0-9A-Fa-f.:]+)\]:\d+")


class PeerLost(RunFailed):
    """Training stopped because another process of the run is gone."""


def lost(error: BaseException, rank: int, world: int) -> str | None:
    """What to say for `error` when it means a peer of this rank (of `world`) is gone; else None."""
    text = str(error)
    if world < 2 or not any(sign in text for sign in SIGNS):
        return None
    found = ADDRESS.search(text)
    who = f"rank {1 - rank}" if world == 2 else f"one of the other {world - 1} processes"
    return message(rank, world, who + (f" at {found[1]}" if found else ""), "its connection closed")


def message(rank: int, world: int, who: str, how: str) -> str:
    return f"rank {rank} of {world}: lost {who}: {how} (its process or node stopped)"


def advice(path) -> str:
    """How to continue a run whose peers were lost, from the checkpoints it keeps."""
    return (
        f"the checkpoints written so far are in {path}; once every node is back, continue with "
        f"`runner resume {path}`, started on each node the way the run was"
    )
