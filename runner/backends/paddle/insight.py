"""Where a Paddle run's network looks and what it sees, as the Lightning backend shows it: Grad-CAM
computed with paddle hooks and paddle.grad (the same maths as the pytorch-grad-cam package: the
target's gradient averaged over the map weighs its channels, the weighted sum through a ReLU,
scaled to [0, 1] and resized to the input), on the last layer still spatial at the recipe's
input size; the first convolution's filters; one image's activations at a few depths."""

import numpy as np
import paddle
import paddle.nn.functional as F
from paddle import nn

from runner.backends.inference import Inference, Sight, gradcam_layer, spread


def sight(inference: Inference, images: np.ndarray, targets: np.ndarray | None) -> Sight:
    """As the Lightning backend's: without `targets` (a segmenter's outputs are no one class per
    image), the filters and activations alone."""
    net = inference.network
    x = inference.prepared(images)
    outputs = _outputs(net, x[:1])
    chosen = gradcam_layer(outputs)
    convs = [(name, layer) for name, layer in net.named_sublayers() if isinstance(layer, nn.Conv2D)]
    filters = convs[0][1].weight.numpy().astype(np.float32) if convs else None
    depths = [(name, outputs[name][1][0].astype("float32").numpy()) for name, _ in spread(convs) if name in outputs]
    if targets is None:
        return Sight(None, "", "no target classes were given", filters, depths)
    if isinstance(chosen, str):
        return Sight(None, "", chosen, filters, depths)
    name, layer = chosen
    return Sight(_gradcam(net, layer, x, targets), name, "", filters, depths)


def _gradcam(net: nn.Layer, layer: nn.Layer, x: paddle.Tensor, targets: np.ndarray) -> np.ndarray:
    saved = {}
    handle = layer.register_forward_post_hook(lambda _layer, inputs, output: saved.__setitem__("maps", output))
    try:
        scores = net(x)
    finally:
        handle.remove()
    chosen = (scores * F.one_hot(paddle.to_tensor(targets.astype("int64")), scores.shape[1])).sum()
    (gradient,) = paddle.grad(chosen, saved["maps"])
    weights = gradient.mean(axis=[2, 3], keepdim=True)
    cam = F.relu((weights * saved["maps"]).sum(axis=1, keepdim=True))
    cam = F.interpolate(cam, size=x.shape[2:], mode="bilinear", align_corners=False)[:, 0].numpy()
    cam = cam - cam.min(axis=(1, 2), keepdims=True)
    return (cam / (1e-7 + cam.max(axis=(1, 2), keepdims=True))).astype(np.float32)


def _outputs(net: nn.Layer, x: paddle.Tensor) -> dict[str, tuple[nn.Layer, paddle.Tensor]]:
    """name -> (layer, its output) for each layer whose output is an image or a sequence of tokens,
    from one pass, in the order they finish (a block after its layers; a layer called twice where
    it last finished)."""
    finished: dict[str, tuple] = {}

    def hook(name):
        def record(layer, inputs, output):
            if isinstance(output, paddle.Tensor) and output.ndim in (3, 4):
                finished.pop(name, None)
                finished[name] = (layer, output.detach())

        return record

    handles = [layer.register_forward_post_hook(hook(name)) for name, layer in net.named_sublayers()]
    try:
        with paddle.no_grad():
            net(x)
    finally:
        for handle in handles:
            handle.remove()
    return finished
