"""The Paddle backend's networks and optimizers mean what the Lightning backend's do: the same
SimpleCNN, every paddle.vision backbone by name, and optimizer steps equal to torch's."""
from types import SimpleNamespace

import numpy as np
import paddle
import pytest

from runner.catalog.backbones import PADDLE
from runner.recipe.errors import RecipeInvalid, RunFailed
from runner.backends.paddle import networks
from runner.backends.paddle.networks import SimpleCNN, build_network, check_input
from runner.backends.paddle.optim import build_optimizer, split_params
from runner.recipe.stages import compile_file

RECIPE = """
schema_version: 1
name: paddle_parts
backend: paddle
model:
  backbone: simple_cnn
data:
  dataset: synthetic
  num_classes: 4
  image_size: 16
  channels: 3
  train_size: 512
  val_size: 64
  batch_size: 32
  num_workers: 0
augment:
  train:
    - name: normalize
  eval:
    - name: normalize
optim:
  name: sgd
  lr: 0.1
hardware:
  accelerator: cpu
  devices: 1
  precision: 32
log:
  tensorboard: false
"""


@pytest.fixture
def compiled(write):
    """compiled(*overrides, text=RECIPE) -> (recipe, program) of a paddle recipe."""
    paddle.set_device("cpu")
    return lambda *overrides, text=RECIPE: compile_file(str(write(text)), list(overrides))


def program(compiled, *overrides):
    return compiled(*overrides)[1]


def trainable(net) -> dict:
    """paddle counts batch norm's running statistics among parameters, as untrainable ones."""
    return {n: p for n, p in net.named_parameters() if p.trainable}


# --- networks ---------------------------------------------------------------------------------


def torch_to_paddle(torch_net, paddle_net):
    """Copy a torch SimpleCNN's weights into the paddle one (paddle's Linear weight is [in, out])."""
    names = {"running_mean": "_mean", "running_var": "_variance"}
    state = {}
    for key, value in torch_net.state_dict().items():
        module, _, leaf = key.rpartition(".")
        if leaf != "num_batches_tracked":
            array = value.detach().numpy()
            state[f"{module}.{names.get(leaf, leaf)}"] = array.T if key == "head.weight" else array
    assert sorted(state) == sorted(paddle_net.state_dict())
    paddle_net.set_state_dict(state)


@pytest.mark.parametrize("channels", [1, 3])
def test_simple_cnn_is_the_lightning_network(channels):
    torch = pytest.importorskip("torch")
    from runner.backends.lightning.networks import SimpleCNN as TorchCNN

    torch.manual_seed(0)
    theirs, ours = TorchCNN(channels, 10).eval(), SimpleCNN(channels, 10)
    ours.eval()
    assert sum(p.numel() for p in theirs.parameters()) == sum(int(p.numel()) for p in trainable(ours).values())
    torch_to_paddle(theirs, ours)
    x = np.random.default_rng(0).normal(size=(2, channels, 9, 9)).astype("float32")  # odd: ceil_mode
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(paddle.to_tensor(x)).numpy(), expected, rtol=1e-4, atol=1e-5)


# The input each backbone is checked on: 64x64 colour, except paddle's LeNet (1x28x28 digits).
SHAPES = {"lenet": (1, 28)}


@pytest.mark.parametrize("name", PADDLE)
def test_every_paddle_backbone_builds_and_classifies(compiled, name):
    channels, size = SHAPES.get(name, (3, 64))
    recipe, prog = compiled(f"model.backbone={name}", f"data.channels={channels}", f"data.image_size={size}")
    net = build_network(prog)
    check_input(recipe, prog, net)  # two blank images, every layer's output refused when empty
    assert net.training  # check_input puts back the mode it found
    net.eval()
    with paddle.no_grad():
        out = net(paddle.rand([1, channels, size, size]))
    assert tuple(out.shape) == (1, 4)


def test_alexnet_and_googlenet_are_paddles_networks_at_224():
    """Ours pool adaptively (AlexNet) and drop the auxiliary heads (GoogLeNet) to take any size."""
    from paddle.vision import models

    x = paddle.rand([1, 3, 224, 224])
    for ours, theirs in ((networks.AlexNet(4), models.AlexNet(4)), (networks.GoogLeNet(4), models.GoogLeNet(4))):
        theirs.set_state_dict(ours.state_dict())  # GoogLeNet's auxiliary heads keep their own weights
        ours.eval()
        theirs.eval()
        with paddle.no_grad():
            expected = theirs(x)
        expected = expected[0] if isinstance(expected, tuple) else expected
        np.testing.assert_allclose(ours(x).numpy(), expected.numpy(), rtol=1e-4, atol=1e-5)
    assert not {k.split(".")[0] for k in networks.GoogLeNet(4).state_dict()} & set(networks.GoogLeNet.AUX)


def test_greyscale_is_repeated_for_paddle_vision_and_taken_directly_elsewhere(compiled):
    grey = ("data.channels=1", "data.image_size=16")
    net = build_network(program(compiled, "model.backbone=resnet18", *grey))
    assert isinstance(net, paddle.nn.Sequential) and isinstance(net[0], networks.ExpandChannels)
    assert tuple(net(paddle.rand([2, 1, 16, 16])).shape) == (2, 4)
    assert build_network(program(compiled, *grey)).features[0].weight.shape[1] == 1  # simple_cnn
    lenet = build_network(program(compiled, "model.backbone=lenet", "data.image_size=28"))  # colour
    assert lenet.features[0].weight.shape[1] == 3 and tuple(lenet(paddle.rand([2, 3, 28, 28])).shape) == (2, 4)


@pytest.mark.parametrize("channels", [1, 3])
def test_cifar_stem_is_a_3x3_stride_1_conv_without_max_pool(compiled, channels):
    net = build_network(program(compiled, "model.backbone=resnext50_32x4d", "model.stem=cifar",
                                f"data.channels={channels}"))
    assert list(net.conv1.weight.shape) == [64, channels, 3, 3] and net.conv1._stride == [1, 1]
    assert isinstance(net.maxpool, paddle.nn.Identity)
    features = net.layer1(net.maxpool(net.relu(net.bn1(net.conv1(paddle.rand([1, channels, 16, 16]))))))
    assert list(features.shape[2:]) == [16, 16]  # full resolution into the first stage


def test_a_backbone_that_cannot_take_the_images_is_reported_at_its_line(compiled):
    line = RECIPE.lstrip("\n").splitlines().index("  backbone: simple_cnn") + 1
    for name, size in (("squeezenet1_0", 8), ("inception_v3", 32)):  # inception_v3: paddle runs on, empty
        recipe, prog = compiled(f"data.image_size={size}", text=RECIPE.replace("simple_cnn", name))
        with pytest.raises(RecipeInvalid) as caught:
            check_input(recipe, prog, build_network(prog))
        (error,) = caught.value.errors
        assert error.where == f"{recipe.path}:{line}" and error.path == "model.backbone"
        assert error.problem.startswith(f"{name} cannot take 3x{size}x{size} images (") and "resize" in error.fix


def test_pretrained_weights_that_cannot_be_fetched_name_the_url_file_and_folder(compiled, monkeypatch, tmp_path):
    from paddle.vision.models import resnet

    url = "http://127.0.0.1:9/resnet18.pdparams"  # refused at once, on or off line
    monkeypatch.setitem(resnet.model_urls, "resnet18", (url, resnet.model_urls["resnet18"][1]))
    monkeypatch.setattr(paddle.utils.download, "WEIGHTS_HOME", str(tmp_path / "weights"))
    monkeypatch.setattr(paddle.utils.download, "DOWNLOAD_RETRY_LIMIT", 1)
    with pytest.raises(RunFailed) as caught:
        build_network(program(compiled, "model.backbone=resnet18", "model.pretrained=true"))
    message = str(caught.value)
    assert f"download {url} and place resnet18.pdparams in {tmp_path / 'weights'}/" in message
    assert message.endswith("or set model.pretrained: false")


def test_every_published_paddle_vision_weight_file_is_found():
    missing = {name for name in PADDLE if networks.weights_url(name)[0] is None}
    assert missing == {"lenet", "vgg11", "vgg13"}


def test_pretrained_weights_without_a_published_file_are_a_clean_error(compiled):
    with pytest.raises(RunFailed, match="no pretrained weights for vgg11"):
        build_network(program(compiled, "model.backbone=vgg11", "model.pretrained=true"))


def test_pretrained_weights_in_the_cache_load_all_but_the_head(compiled, monkeypatch, tmp_path):
    from paddle.vision.models import resnet

    imagenet = resnet.resnet18(num_classes=1000)
    paddle.save(imagenet.state_dict(), str(tmp_path / "resnet18.pdparams"))
    monkeypatch.setattr(paddle.utils.download, "WEIGHTS_HOME", str(tmp_path))
    monkeypatch.setitem(resnet.model_urls, "resnet18", (resnet.model_urls["resnet18"][0], None))  # no md5
    net = build_network(program(compiled, "model.backbone=resnet18", "model.pretrained=true"))
    np.testing.assert_array_equal(net.conv1.weight.numpy(), imagenet.conv1.weight.numpy())
    np.testing.assert_array_equal(net.layer4[1].bn2._mean.numpy(), imagenet.layer4[1].bn2._mean.numpy())
    assert list(net.fc.weight.shape) == [512, 4]


# --- optimizers -------------------------------------------------------------------------------

OPTIMIZERS = {
    "sgd": ["optim.name=sgd", "optim.lr=0.1", "optim.nesterov=true"],
    "adam": ["optim.name=adam", "optim.lr=0.01"],
    "adamw": ["optim.name=adamw", "optim.lr=0.01"],
    "rmsprop": ["optim.name=rmsprop", "optim.lr=0.01"],
}
# Decay that spares norms and biases, global-norm clipping, a warm-up that changes the rate each step.
SETTINGS = ("optim.weight_decay=0.05", "optim.decay_norm_and_bias=false", "train.grad_clip=0.5",
            "schedule.name=cosine", "schedule.warmup_steps=4")


def torch_optimizer(prog, net):
    """The Lightning backend's optimizer and schedule for a torch network."""
    from runner.backends.lightning.module import Classifier

    setup = Classifier.configure_optimizers(SimpleNamespace(net=net, program=prog))
    return setup["optimizer"], setup["lr_scheduler"]["scheduler"]


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_one_weight_steps_as_on_the_lightning_backend(compiled, name):
    """Five steps of one weight under set gradients (sgd's first is torch.optim.SGD's with L2 decay)."""
    torch = pytest.importorskip("torch")
    prog = program(compiled, *OPTIMIZERS[name], *SETTINGS)
    start = np.random.default_rng(1).normal(size=(1, 6)).astype("float32")
    theirs = torch.nn.Linear(6, 1, bias=False)
    theirs.weight.data = torch.from_numpy(start.copy())
    ours = paddle.nn.Linear(6, 1, bias_attr=False)  # weight [in, out]
    ours.weight.set_value(start.T.copy())
    (torch_opt, torch_schedule), (opt, schedule) = torch_optimizer(prog, theirs), build_optimizer(prog, ours)
    for scale in (0.02, 1.0, 0.3, 0.05, 0.2):  # the first below the clipping norm
        grad = np.random.default_rng(int(scale * 100)).normal(size=(1, 6)).astype("float32") * scale
        (theirs.weight * torch.from_numpy(grad)).sum().backward()
        torch.nn.utils.clip_grad_norm_(theirs.parameters(), 0.5)  # Lightning's gradient_clip_val
        torch_opt.step()
        torch_opt.zero_grad()
        torch_schedule.step()
        (ours.weight * paddle.to_tensor(grad.T)).sum().backward()
        opt.step()
        opt.clear_grad()
        schedule.step()
        np.testing.assert_allclose(ours.weight.numpy().T, theirs.weight.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert np.abs(ours.weight.numpy().T - start).max() > 1e-2  # the steps were not lost in the tolerance


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw"])
def test_a_network_trains_as_on_the_lightning_backend(compiled, name):
    """Three steps of SimpleCNN from the same weights on the same batches. (rmsprop is left to the
    test above: its epsilon sits inside paddle's square root, which weights with tiny gradients
    feel in its first steps, and three steps of ~10 x lr per weight make that visible.)"""
    torch = pytest.importorskip("torch")
    from runner.backends.lightning.networks import SimpleCNN as TorchCNN

    prog = program(compiled, *OPTIMIZERS[name], *SETTINGS)
    torch.manual_seed(0)
    theirs, ours = TorchCNN(3, 4), SimpleCNN(3, 4)
    torch_to_paddle(theirs, ours)
    (torch_opt, torch_schedule), (opt, schedule) = torch_optimizer(prog, theirs), build_optimizer(prog, ours)
    start = {n: p.numpy().copy() for n, p in trainable(ours).items()}
    rng = np.random.default_rng(0)
    for _ in range(3):
        x, y = rng.normal(size=(8, 3, 16, 16)).astype("float32"), rng.integers(0, 4, size=8)
        loss = torch.nn.functional.cross_entropy(theirs(torch.from_numpy(x)), torch.from_numpy(y))
        loss.backward()
        assert torch.nn.utils.clip_grad_norm_(theirs.parameters(), 0.5) > 0.5  # clipping is in play
        torch_opt.step()
        torch_opt.zero_grad()
        torch_schedule.step()
        loss = paddle.nn.functional.cross_entropy(ours(paddle.to_tensor(x)), paddle.to_tensor(y))
        loss.backward()
        opt.step()
        opt.clear_grad()
        schedule.step()
    theirs_now = {k: v.detach().numpy() for k, v in theirs.named_parameters()}
    for key, param in trainable(ours).items():
        expected = theirs_now[key].T if key == "head.weight" else theirs_now[key]
        moved = np.linalg.norm(param.numpy() - start[key])
        # a few weights with near-zero gradients take Adam's near-unit steps either way: compare tensors
        assert moved > 0 and np.linalg.norm(param.numpy() - expected) < 1e-3 * moved, key


def test_learning_rate_follows_the_compiled_curve_per_optimizer_step(compiled):
    prog = program(compiled, "optim.momentum=0.0", "schedule.name=cosine", "schedule.final_lr_ratio=0.1",
                   "schedule.warmup_steps=5", "train.epochs=2")
    total, warmup = prog.numbers.total_steps, prog.numbers.warmup_steps
    weight = paddle.nn.Linear(1, 1, bias_attr=False)
    opt, schedule = build_optimizer(prog, weight)
    assert (prog.lr(0), prog.lr(warmup - 1)) == (0.2, 1.0) and prog.lr(total - 1) < 0.11
    for step in range(total):
        if step in (0, warmup - 1, total - 1):  # the first step, the end of warm-up, the last step
            before = weight.weight.numpy().copy()
            weight.weight.sum().backward()  # gradient 1: the step moves the weight by the rate
            opt.step()
            opt.clear_grad()
            used = float((before - weight.weight.numpy())[0, 0])
            assert used == pytest.approx(0.1 * prog.lr(step), rel=1e-5) == pytest.approx(opt.get_lr(), rel=1e-5)
        schedule.step()


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("decay_norm_and_bias", [False, True])
def test_excluded_parameters_get_no_weight_decay(compiled, name, decay_norm_and_bias):
    prog = program(compiled, *OPTIMIZERS[name], "optim.weight_decay=0.1",
                   f"optim.decay_norm_and_bias={str(decay_norm_and_bias).lower()}")
    net = SimpleCNN(3, 4)
    rng = np.random.default_rng(0)
    for p in trainable(net).values():  # away from zero, so that decay moves every decayed weight
        p.set_value(rng.normal(size=p.shape).astype("float32"))
    _, exempt = split_params(net, decay_norm_and_bias)
    names = {id(p): n for n, p in trainable(net).items()}
    exempt_names = sorted(names[id(p)] for p in exempt)
    norms_and_biases = sorted({f"features.{i}.{leaf}" for i, layer in enumerate(net.features)
                               if isinstance(layer, paddle.nn.BatchNorm2D) for leaf in ("weight", "bias")}
                              | {"head.bias"})
    assert exempt_names == ([] if decay_norm_and_bias else norms_and_biases)
    opt, _ = build_optimizer(prog, net)
    before = {n: p.numpy().copy() for n, p in trainable(net).items()}
    (net(paddle.rand([2, 3, 16, 16])) * 0).sum().backward()  # zero gradients: only decay moves weights
    opt.step()
    moved = {n for n, p in trainable(net).items() if not np.array_equal(p.numpy(), before[n])}
    assert moved == set(names.values()) - set(exempt_names)
