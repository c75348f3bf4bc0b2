"""Rules on hardware: accelerators, precisions and strategies each backend has, and a batch that
the devices can share."""

from runner.recipe.checks.rule import check

# Precisions each backend can run on each accelerator; `auto` is resolved when the run starts.
PRECISIONS = {
    ("lightning", "cpu"): {"64", "32", "bf16-mixed", "bf16-true"},
    ("lightning", "gpu"): {"64", "32", "16-mixed", "bf16-mixed", "16-true", "bf16-true"},
    ("lightning", "mps"): {"32", "16-mixed", "bf16-mixed"},
    ("lightning", "tpu"): {"32", "bf16-mixed", "bf16-true"},
    ("paddle", "cpu"): {"32"},
    ("paddle", "gpu"): {"32", "16-mixed", "bf16-mixed"},
}
STRATEGIES = {"lightning": {"auto", "ddp", "fsdp", "deepspeed"}, "paddle": {"auto", "ddp"}}
DISTRIBUTED = {"ddp", "fsdp", "deepspeed"}


@check
def accelerator_on_backend(r):
    """The backend must be able to drive the chosen accelerator."""
    hw, backend = r["hardware"], r["backend"]
    known = {a for b, a in PRECISIONS if b == backend}
    if hw["accelerator"] != "auto" and hw["accelerator"] not in known:
        yield (
            ("hardware", "accelerator"),
            f"{hw['accelerator']!r} is not available on the {backend} backend",
            "use one of: auto, " + ", ".join(sorted(known)),
        )


@check
def precision_on_accelerator(r):
    """The precision must be one the accelerator computes in (no fp16 on CPUs, for example)."""
    hw, backend = r["hardware"], r["backend"]
    allowed = PRECISIONS.get((backend, hw["accelerator"]))
    if hw["accelerator"] == "auto":
        allowed = set().union(*(p for (b, _), p in PRECISIONS.items() if b == backend))
    if allowed is not None and hw["precision"] not in allowed:
        where = "" if hw["accelerator"] == "auto" else f" on {hw['accelerator']}"
        yield (
            ("hardware", "precision"),
            f"{hw['precision']!r} is not supported by {backend}{where}",
            "use one of: " + ", ".join(sorted(allowed)),
        )


@check
def strategy_on_backend(r):
    """The distributed strategy must exist on the backend."""
    strategy, backend = r["hardware"]["strategy"], r["backend"]
    if strategy not in STRATEGIES[backend]:
        yield (
            ("hardware", "strategy"),
            f"{strategy!r} is not available on the {backend} backend",
            "use one of: " + ", ".join(sorted(STRATEGIES[backend])),
        )


@check
def distributed_needs_several_devices(r):
    """A distributed strategy with one device on one node is a mistake, not a speed-up."""
    hw = r["hardware"]
    if hw["strategy"] in DISTRIBUTED and hw["devices"] == 1 and hw["num_nodes"] == 1:
        yield (
            ("hardware", "strategy"),
            f"{hw['strategy']!r} needs more than one device",
            "set hardware.devices above 1, or strategy: auto",
        )


@check
def batch_divisible_by_devices(r):
    """data.batch_size is split evenly across every device of every node."""
    hw, batch = r["hardware"], r["data"]["batch_size"]
    if hw["devices"] != "auto":
        world = hw["devices"] * hw["num_nodes"]
        if batch % world:
            yield (
                ("data", "batch_size"),
                f"{batch} is not divisible by {world} devices",
                f"use a multiple of {world}, such as {max(world, batch // world * world)}",
            )
