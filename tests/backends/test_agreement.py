"""The two backends mean the same things: they read the training data in the same order for the
same seed and epoch, compute validation loss the same way (without label smoothing, as `runner
eval` does), and have an implementation for every component the catalog says they have."""

import numpy as np
import paddle
import pytest
import torch
import torch.nn.functional as F

from runner.catalog import augmentations, optimizers
from runner.catalog.tasks import TASKS
from runner.data import order
from runner.data.arrays import Arrays
from runner.recipe.stages import compile_file
from tests.conftest import ROOT

SMOKE = ROOT / "recipes/smoke/synthetic.yaml"


def identity_program(*overrides):
    """The smoke recipe with no augmentation, so a batch's labels show which images it holds."""
    return compile_file(str(SMOKE), ["augment.train=[]", "augment.eval=[]", *overrides])[1]


def labelled(n: int) -> Arrays:
    """Images whose label is their index, so the labels of a batch name the images in it."""
    x = np.zeros((n, 3, 4, 4), np.uint8)
    return Arrays(x, np.arange(n, dtype=np.int64), x[:8], np.arange(8, dtype=np.int64))


def test_both_backends_read_the_training_set_in_one_order_per_seed_and_epoch():
    from runner.backends.lightning.data import memory_data as lightning_data
    from runner.backends.paddle.data import memory_data as paddle_data

    program, arrays = identity_program("seed=7", "data.batch_size=16"), labelled(100)
    torch_loader = lightning_data(program, arrays, 16).train
    paddle_stream = paddle_data(program, arrays, 16).train
    for epoch in (0, 1, 5):
        torch_loader.sampler.set_epoch(epoch)
        paddle_stream.epoch = epoch
        seen_torch = torch.cat([y for _, y in torch_loader]).tolist()
        seen_paddle = paddle.concat([y for _, y in paddle_stream]).numpy().tolist()
        expected = order.training_share(100, 7, epoch)[: 6 * 16].tolist()  # whole batches only
        assert seen_torch == seen_paddle == expected
    assert order.epoch_order(100, 7, 0).tolist() != order.epoch_order(100, 7, 1).tolist()
    assert order.epoch_order(100, 7, 0).tolist() != order.epoch_order(100, 8, 0).tolist()


def test_processes_share_out_the_order_without_overlap():
    shares = [order.training_share(10, 3, 2, rank, 3) for rank in range(3)]
    assert [len(s) for s in shares] == [3, 3, 3]
    assert len(set(np.concatenate(shares))) == 9 and set(np.concatenate(shares)) < set(range(10))
    evaluation = [order.evaluation_share(10, rank, 3).tolist() for rank in range(3)]
    assert [len(s) for s in evaluation] == [4, 4, 4] and set(sum(evaluation, [])) == set(range(10))


def test_validation_loss_has_no_label_smoothing_on_either_backend():
    from runner.backends.lightning.tasks import Classification as LightningTask
    from runner.backends.paddle.tasks import Classification as PaddleTask

    program = identity_program("train.label_smoothing=0.2", "data.num_classes=5")
    logits = np.random.default_rng(0).normal(size=(6, 5)).astype("float32")
    labels = np.array([0, 1, 2, 3, 4, 0])
    plain = float(F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels)))
    smoothed = float(F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels), label_smoothing=0.2))
    lightning, given = LightningTask(program), lambda x: x  # a network that outputs the logits it is given
    validation = lightning.validation(given, torch.from_numpy(logits), torch.from_numpy(labels))
    assert float(validation["val_loss"]) == pytest.approx(plain)
    assert float(lightning.training(given, torch.from_numpy(logits), torch.from_numpy(labels))[0]) == pytest.approx(
        smoothed
    )
    net = paddle.nn.Linear(2, 2)  # stands for the network whose mode paddle.Model switches
    loss = PaddleTask(program).loss(net)
    net.train()
    assert float(loss(paddle.to_tensor(logits), paddle.to_tensor(labels))) == pytest.approx(smoothed, rel=1e-5)
    net.eval()  # what paddle.Model.eval_batch does before computing the validation loss
    assert float(loss(paddle.to_tensor(logits), paddle.to_tensor(labels))) == pytest.approx(plain, rel=1e-5)


def test_every_task_and_component_has_an_implementation_on_each_backend_that_declares_it():
    from runner.backends.lightning import augment as lightning_augment
    from runner.backends.lightning import networks as lightning_networks
    from runner.backends.lightning import optim as lightning_optim
    from runner.backends.lightning import tasks as lightning_tasks
    from runner.backends.paddle import augment as paddle_augment
    from runner.backends.paddle import networks as paddle_networks
    from runner.backends.paddle import optim as paddle_optim
    from runner.backends.paddle import tasks as paddle_tasks
    from runner.recipe.specs import LIBRARIES

    for backend, tasks, optim, augment, networks in (
        ("lightning", lightning_tasks, lightning_optim, lightning_augment, lightning_networks),
        ("paddle", paddle_tasks, paddle_optim, paddle_augment, paddle_networks),
    ):
        assert set(tasks.ADAPTERS) == {n for n, t in TASKS.items() if backend not in dict(t.refused)}, backend
        assert set(optim.OPTIMIZERS) == set(optimizers.names(backend)), backend
        assert set(augment.BUILDERS) == set(augmentations.names(backend)), backend
        libraries = {"builtin", LIBRARIES[backend]} | ({"timm"} if backend == "lightning" else set())
        assert set(networks.LIBRARIES) == libraries, backend
