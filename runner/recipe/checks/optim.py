"""Rules on the optimizer and its learning-rate schedule: a learning rate that can move weights,
and milestones in the order the schedule passes them."""

from runner.recipe.checks.rule import check

# The smallest normal float32, 2**-126 (about 1.2e-38). Weights train in float32 (or in a float32
# master copy under mixed precision); below this a rate is denormal, flushed to 0 on many GPUs, or
# 0 outright. A number too small for a double (lr: 1e-400) has already been read as 0.0.
FLOAT32_TINY = 2.0**-126


@check
def learning_rate_moves_weights(r):
    """optim.lr must be a positive float32: 0, or a value that underflows to 0, trains nothing."""
    lr = r["optim"]["lr"]
    if lr == 0:
        problem = "is 0 (a number below about 1e-308, such as 1e-400, reads as 0), so no weight would change"
    elif lr < FLOAT32_TINY:
        problem = f"{lr:g} is below {FLOAT32_TINY:.3g}, the smallest normal float32, so it trains as 0 or close to it"
    else:
        return
    yield ("optim", "lr"), problem, "use a positive learning rate, e.g. 0.001"


@check
def milestones_in_order(r):
    """A multistep schedule's milestones are epochs it passes one after another: increasing order."""
    if r["schedule"]["name"] != "multistep":
        return
    milestones = r["schedule"]["milestones"]
    late = next((i for i in range(1, len(milestones)) if milestones[i] < milestones[i - 1]), None)
    if late is not None:
        yield (
            ("schedule", "milestones", late),
            f"epoch {milestones[late]} comes after epoch {milestones[late - 1]}",
            f"list the milestones in increasing order: {sorted(milestones)}",
        )
