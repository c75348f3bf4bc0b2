"""Golden errors for the optimizer and schedule rules (runner/recipe/checks/optim.py), and the
validation cadence they leave alone."""

import pytest

from runner.run.cadence import validates
from tests.conftest import QUICKSTART

LR_LINE = QUICKSTART.splitlines().index("  lr: 0.003") + 1
MULTISTEP = QUICKSTART.replace("  name: cosine\n  warmup_epochs: 1\n", "  name: multistep\n  milestones:\n")


@pytest.mark.parametrize(
    "lr, problem",
    [
        ("1e-400", "is 0 (a number below about 1e-308, such as 1e-400, reads as 0), so no weight would change"),
        ("0", "is 0 (a number below about 1e-308, such as 1e-400, reads as 0), so no weight would change"),
        ("1e-40", "1e-40 is below 1.18e-38, the smallest normal float32, so it trains as 0 or close to it"),
    ],
)
def test_a_learning_rate_that_is_0_in_float32_is_refused(lr, problem, write, cli):
    path = write(QUICKSTART.replace("lr: 0.003", f"lr: {lr}"))
    result = cli("validate", path)
    assert result.code == 2
    assert result.err == f"{path}:{LR_LINE}: optim.lr: {problem}; use a positive learning rate, e.g. 0.001\n"


def test_the_smallest_normal_float32_learning_rate_is_accepted(write, cli):
    assert cli("validate", write(QUICKSTART.replace("lr: 0.003", "lr: 1.2e-38"))).code == 0


def test_unsorted_milestones_name_the_first_out_of_order(write, cli):
    path = write(MULTISTEP.replace("  milestones:\n", "  milestones:\n    - 3\n    - 9\n    - 6\n    - 12\n"))
    line = MULTISTEP.splitlines().index("  milestones:") + 4
    result = cli("validate", path)
    assert result.code == 2
    assert result.err == (
        f"{path}:{line}: schedule.milestones.2: epoch 6 comes after epoch 9; "
        "list the milestones in increasing order: [3, 6, 9, 12]\n"
    )
    assert cli("validate", path, "schedule.milestones=[3,6,9]").code == 0


def test_val_every_beyond_the_epochs_still_validates_after_the_last(write, cli):
    # Accepted, not refused: `train.epochs=1` on a recipe that validates every 5 epochs is a fair
    # override, and the last epoch always validates, so such a run still ends with a best score.
    assert cli("validate", write(QUICKSTART), "train.epochs=2", "train.val_every=5").code == 0
    assert [validates(epoch, 2, 5) for epoch in range(2)] == [False, True]
