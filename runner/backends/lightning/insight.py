"""Where a Lightning run's network looks and what it sees: Grad-CAM (the pytorch-grad-cam package)
on the last layer still spatial at the recipe's input size, the first convolution's filters, and
one image's activations at a few depths. Layers are found by running the network once with
hooks, so the rule is the same for the built-in CNN, torchvision and timm networks."""

import numpy as np
import torch
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
from torch import nn

from runner.backends.inference import Inference, Sight, gradcam_layer, spread


def sight(inference: Inference, images: np.ndarray, targets: np.ndarray | None) -> Sight:
    """Grad-CAM of `images` (uint8, through sample_steps) for the `targets` classes, and the
    filters and activations of the first image; without `targets` (a detector's or segmenter's
    outputs are no one class per image), the filters and activations alone."""
    net = inference.network.net
    x = inference.prepared(images)
    outputs = _outputs(net, x[:1])
    chosen = gradcam_layer(outputs)
    convs = [(name, m) for name, m in net.named_modules() if isinstance(m, nn.Conv2d)]
    filters = convs[0][1].weight.detach().float().cpu().numpy() if convs else None
    depths = [(name, outputs[name][1][0].float().cpu().numpy()) for name, _ in spread(convs) if name in outputs]
    if targets is None:
        return Sight(None, "", "no target classes were given", filters, depths)
    if isinstance(chosen, str):
        return Sight(None, "", chosen, filters, depths)
    name, layer = chosen
    with GradCAM(model=net, target_layers=[layer]) as cam:
        heat = cam(input_tensor=x, targets=[ClassifierOutputTarget(int(t)) for t in targets])
    return Sight(np.asarray(heat, dtype=np.float32), name, "", filters, depths)


def _outputs(net: nn.Module, x: torch.Tensor) -> dict[str, tuple[nn.Module, torch.Tensor]]:
    """name -> (layer, its output) for each layer whose output is an image or a sequence of tokens,
    from one pass, in the order they finish (a block after its layers; a layer called twice where
    it last finished)."""
    finished: dict[str, tuple] = {}

    def hook(name):
        def record(layer, inputs, output):
            if isinstance(output, torch.Tensor) and output.ndim in (3, 4):
                finished.pop(name, None)
                finished[name] = (layer, output.detach())

        return record

    handles = [m.register_forward_hook(hook(name)) for name, m in net.named_modules() if name]
    try:
        with torch.no_grad():
            net(x)
    finally:
        for handle in handles:
            handle.remove()
    return finished
