"""The recipe's optim section on paddle.optimizer, with the meaning runner/backends/lightning/module.py
gives it on torch.optim, and the compiled learning-rate curve as a scheduler that the training
loop steps once per optimizer step.

Where paddle's optimizers differ from torch's and how that is bridged:
- sgd is paddle's Momentum (momentum 0 is plain SGD). Its L2 decay is added to the gradient
  before momentum, and Nesterov's update is torch's: the same steps.
- adam and rmsprop take L2 decay on the gradient as torch does; adamw decays decoupled,
  p -= lr * weight_decay * p, as torch's AdamW. Adam's epsilon sits where torch puts it.
- RMSProp: torch's alpha is paddle's rho. paddle adds epsilon inside the square root,
  g / sqrt(r + eps), where torch divides by sqrt(r) + eps; eps**2 is passed so that the two agree
  wherever sqrt(r) is far from eps, and differ by at most a factor sqrt(2) where they meet.
  Not bridged: with momentum, paddle folds the learning rate into the momentum buffer, torch
  multiplies the buffer by the current rate, so the two differ while the rate changes.
- Decay is set per parameter, as its regularizer (what a ParamAttr regularizer does), not by
  parameter groups: paddle clips each group's gradients by that group's own norm, where torch's
  (and Lightning's) clipping takes one norm over every parameter. As on torch, gradients are
  clipped first and decayed after.
"""

import paddle
from paddle import nn

from runner.recipe.compile import Program

NORM_TYPES = (nn.layer.norm._BatchNormBase, nn.BatchNorm, nn.GroupNorm, nn.LayerNorm)


def _adamw(beta1, beta2, eps, decayed, weight_decay, **common):
    names = {p.name for p in decayed}  # decoupled decay, on the decayed parameters only
    return paddle.optimizer.AdamW(
        beta1=beta1,
        beta2=beta2,
        epsilon=eps,
        weight_decay=weight_decay,
        apply_decay_param_fun=names.__contains__,
        **common,
    )


# Optimizer name (the catalog's) -> builder(**its own settings, decayed=, weight_decay=, **common).
OPTIMIZERS = {
    "sgd": lambda momentum, nesterov, decayed, weight_decay, **common: paddle.optimizer.Momentum(
        momentum=momentum, use_nesterov=nesterov, **common
    ),
    "adam": lambda beta1, beta2, eps, decayed, weight_decay, **common: paddle.optimizer.Adam(
        beta1=beta1, beta2=beta2, epsilon=eps, **common
    ),
    "adamw": _adamw,
    "rmsprop": lambda alpha, momentum, eps, decayed, weight_decay, **common: paddle.optimizer.RMSProp(
        rho=alpha, momentum=momentum, epsilon=eps**2, **common
    ),
}
DECOUPLED = ("adamw",)  # optimizers that apply weight decay themselves rather than as L2 on the gradient


def build_optimizer(program: Program, net: nn.Layer):
    """(optimizer, scheduler): the scheduler gives optim.lr x program.lr(step) after `step`
    calls of its step(), one per optimizer step."""
    optim, clip = program.optim, program.loop.grad_clip
    curve = program.lr
    # A plain function, not the LrCurve object, as on Lightning; paddle saves only the step count.
    schedule = paddle.optimizer.lr.LambdaDecay(optim.lr, lambda step: curve(step))
    grad_clip = nn.ClipGradByGlobalNorm(clip) if clip > 0 else None
    decayed, exempt = split_params(net, optim.decay_norm_and_bias)
    decay = float(optim.weight_decay)
    params = decayed + exempt
    # L2 decay (every optimizer but the decoupled ones) as each parameter's regularizer
    l2 = paddle.regularizer.L2Decay(decay) if decay and optim.name not in DECOUPLED else None
    for p in params:
        p.regularizer = None
    for p in decayed:
        p.regularizer = l2
    opt = OPTIMIZERS[optim.name](
        **optim.settings,
        decayed=decayed,
        weight_decay=decay,
        parameters=params,
        learning_rate=schedule,
        grad_clip=grad_clip,
    )
    return opt, schedule


def split_params(net: nn.Layer, decay_norm_and_bias: bool) -> tuple[list, list]:
    """(decayed, exempt) trainable parameters: all decayed, or (decay_norm_and_bias: false)
    normalisation weights and biases exempt."""
    params = [p for p in net.parameters() if p.trainable]
    if decay_norm_and_bias:
        return params, []
    exempt = {id(p) for m in net.sublayers() if isinstance(m, NORM_TYPES) for p in m.parameters()}
    exempt |= {id(p) for n, p in net.named_parameters() if n.rsplit(".", 1)[-1] == "bias"}
    return [p for p in params if id(p) not in exempt], [p for p in params if id(p) in exempt]
