"""The Paddle backend's networks mean what the Lightning backend's do: the same SimpleCNN, every
paddle.vision backbone by name, greyscale and CIFAR stems, pretrained weights from paddle's cache."""

import numpy as np
import paddle
import pytest

from runner.backends.paddle import networks
from runner.backends.paddle.networks import SimpleCNN, build_network, check_input
from runner.catalog.backbones import PADDLE
from runner.recipe.errors import RecipeInvalid, RunFailed
from tests.backends.paddle.conftest import RECIPE, program, torch_to_paddle, trainable


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
    check_input(prog, net)  # two blank images, every layer's output refused when empty
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
    net = build_network(
        program(compiled, "model.backbone=resnext50_32x4d", "model.stem=cifar", f"data.channels={channels}")
    )
    assert list(net.conv1.weight.shape) == [64, channels, 3, 3] and net.conv1._stride == [1, 1]
    assert isinstance(net.maxpool, paddle.nn.Identity)
    features = net.layer1(net.maxpool(net.relu(net.bn1(net.conv1(paddle.rand([1, channels, 16, 16]))))))
    assert list(features.shape[2:]) == [16, 16]  # full resolution into the first stage


def test_a_backbone_that_cannot_take_the_images_is_reported_at_its_line(compiled):
    line = RECIPE.lstrip("\n").splitlines().index("  backbone: simple_cnn") + 1
    for name, size in (("squeezenet1_0", 8), ("inception_v3", 32)):  # inception_v3: paddle runs on, empty
        recipe, prog = compiled(f"data.image_size={size}", text=RECIPE.replace("simple_cnn", name))
        with pytest.raises(RecipeInvalid) as caught:
            check_input(prog, build_network(prog))
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
