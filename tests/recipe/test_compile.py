"""Derived numbers and learning-rate curves, computed once in compile."""

import math

import pytest

from runner.recipe.stages import compile_file
from tests.conftest import QUICKSTART, ROOT


def program(write, *overrides):
    return compile_file(str(write(QUICKSTART)), list(overrides))[1]


def test_steps_follow_from_split_batch_and_accumulation(write):
    p = program(write, "data.batch_size=50", "train.accumulate=4", "train.epochs=3")
    n = p.numbers
    assert (n.val_size, n.train_size) == (round(1797 * 0.2), 1797 - round(1797 * 0.2))
    assert n.batches_per_epoch == n.train_size // 50
    assert n.steps_per_epoch == math.ceil(n.batches_per_epoch / 4)
    assert n.total_steps == 3 * n.steps_per_epoch and n.effective_batch == 200
    assert n.warmup_steps == n.steps_per_epoch  # warmup_epochs: 1 in the quickstart
    assert "ceil(" in n.notes["steps per epoch"].how


def test_cosine_warms_up_then_decays_to_the_floor(write):
    p = program(write, "schedule.final_lr_ratio=0.1")
    lr, n = p.lr, p.numbers
    ramp = [lr(s) for s in range(n.warmup_steps)]
    assert ramp == sorted(ramp) and ramp[-1] == pytest.approx(1.0)
    assert lr(n.warmup_steps) == pytest.approx(1.0)
    assert lr(n.total_steps) == pytest.approx(0.1)
    tail = [lr(s) for s in range(n.warmup_steps, n.total_steps)]
    assert tail == sorted(tail, reverse=True)


def test_onecycle_uses_pct_start_when_no_warmup_is_set(write):
    p = program(write, "schedule.name=onecycle", "schedule.warmup_epochs=0")
    n = p.numbers
    assert n.warmup_steps == round(0.3 * n.total_steps)
    assert p.lr(0) == pytest.approx(1 / 25 + (1 - 1 / 25) / n.warmup_steps)
    assert p.lr(n.total_steps) == pytest.approx(1 / 25 / 1e4)


def test_multistep_decays_at_milestone_epochs(write):
    p = program(
        write, "schedule.name=multistep", "schedule.milestones=[5,10]", "schedule.gamma=0.5", "schedule.warmup_epochs=0"
    )
    spe = p.numbers.steps_per_epoch
    assert [p.lr(5 * spe - 1), p.lr(5 * spe), p.lr(10 * spe)] == [1.0, 0.5, 0.25]


def test_cifar_numbers(write):
    p = compile_file(str(ROOT / "recipes/resnet18_cifar10.yaml"))[1]
    assert (p.num_classes, p.numbers.steps_per_epoch, p.numbers.total_steps) == (10, 195, 5850)
