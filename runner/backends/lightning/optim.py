"""The recipe's optimizer on torch.optim, and the compiled learning-rate curve stepped once per
optimizer step (runner/backends/paddle/optim.py gives the same meaning on paddle.optimizer)."""

import torch

from runner.recipe.compile import Program
from runner.recipe.specs import OptimizerSpec

NORM_TYPES = (torch.nn.modules.batchnorm._BatchNorm, torch.nn.GroupNorm, torch.nn.LayerNorm)

# Optimizer name (the catalog's) -> builder(parameter groups, lr, **the optimizer's own settings).
# Weight decay travels in the groups, so that norms and biases can be spared it.
OPTIMIZERS = {
    "sgd": lambda groups, lr, momentum, nesterov: torch.optim.SGD(groups, lr=lr, momentum=momentum, nesterov=nesterov),
    "adam": lambda groups, lr, beta1, beta2, eps: torch.optim.Adam(groups, lr=lr, betas=(beta1, beta2), eps=eps),
    "adamw": lambda groups, lr, beta1, beta2, eps: torch.optim.AdamW(groups, lr=lr, betas=(beta1, beta2), eps=eps),
    "rmsprop": lambda groups, lr, alpha, momentum, eps: torch.optim.RMSprop(
        groups, lr=lr, alpha=alpha, momentum=momentum, eps=eps
    ),
}


def build_optimizer(program: Program, net: torch.nn.Module) -> dict:
    """The optimizer and its per-step schedule, as LightningModule.configure_optimizers returns them."""
    optim = program.optim
    opt = OPTIMIZERS[optim.name](param_groups(net, optim), optim.lr, **optim.settings)
    # A plain function, not the LrCurve object: LambdaLR saves callable objects into the
    # checkpoint, which would then hold more than tensors and could not load weights-only.
    curve = program.lr
    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: curve(step))
    return {"optimizer": opt, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}


def param_groups(net: torch.nn.Module, optim: OptimizerSpec) -> list[dict]:
    """Weight decay on every parameter, or (decay_norm_and_bias: false) not on norms and biases."""
    decay = optim.weight_decay
    if optim.decay_norm_and_bias:
        return [{"params": list(net.parameters()), "weight_decay": decay}]
    exempt = {id(p) for m in net.modules() if isinstance(m, NORM_TYPES) for p in m.parameters()}
    exempt |= {id(p) for n, p in net.named_parameters() if n.endswith(".bias")}
    params = list(net.parameters())
    return [
        {"params": [p for p in params if id(p) not in exempt], "weight_decay": decay},
        {"params": [p for p in params if id(p) in exempt], "weight_decay": 0.0},
    ]
