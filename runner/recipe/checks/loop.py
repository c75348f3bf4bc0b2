"""Rules on the training loop: warm-up, the checkpoint monitor (a metric of the task, ranked in its
direction), and enough images for full batches."""

from runner.catalog.tasks import TASKS
from runner.recipe.checks.rule import check
from runner.recipe.numbers import known_before_files


@check
def one_warmup_length(r):
    """Warm-up is given in epochs or in steps, not both."""
    s = r["schedule"]
    if s["warmup_epochs"] and s["warmup_steps"]:
        yield ("schedule", "warmup_steps"), "warmup_epochs and warmup_steps are both set", "keep one of them"


@check
def monitor_direction(r):
    """The checkpoint monitor is a metric the task logs, ranked the way it improves (losses down,
    accuracy up)."""
    ckpt, task = r["train"]["checkpoint"], TASKS[r["task"]]
    monitor = task.monitor if ckpt["monitor"] == "auto" else ckpt["monitor"]
    if monitor not in task.metric_names:
        yield (
            ("train", "checkpoint", "monitor"),
            f"{ckpt['monitor']} is not a metric of task {task.name}",
            "use one of: " + ", ".join(task.metric_names),
        )
        return
    better = task.metric(monitor).better
    if ckpt["mode"] not in ("auto", better):
        yield (
            ("train", "checkpoint", "mode"),
            f"{monitor} is better when {'lower' if better == 'min' else 'higher'}",
            f"set mode: {better}",
        )


@check
def training_has_full_batches(r):
    """At least one full batch per epoch, and a warm-up shorter than training."""
    numbers = known_before_files(r)
    if numbers is None:
        return
    if numbers.train_size < r["data"]["batch_size"]:
        yield (
            ("data", "batch_size"),
            f"{r['data']['batch_size']} is larger than the {numbers.train_size} training images",
            f"use at most {numbers.train_size}",
        )
    elif numbers.warmup_steps >= numbers.total_steps:
        key = "warmup_steps" if r["schedule"]["warmup_steps"] else "warmup_epochs"
        yield (
            ("schedule", key),
            f"warm-up of {numbers.warmup_steps} steps is not shorter than the {numbers.total_steps} training steps",
            "shorten the warm-up or train longer",
        )
