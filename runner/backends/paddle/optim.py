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


def build_optimizer(program: Program, net: nn.Layer):
    """(optimizer, scheduler): the scheduler gives optim.lr x program.lr(step) after `step`
    calls of its step(), one per optimizer step."""
    optim, clip = program.recipe["optim"], program.recipe["train"]["grad_clip"]
    curve = program.lr
    # A plain function, not the LrCurve object, as on Lightning; paddle saves only the step count.
    schedule = paddle.optimizer.lr.LambdaDecay(optim["lr"], lambda step: curve(step))
    grad_clip = nn.ClipGradByGlobalNorm(clip) if clip > 0 else None
    decayed, exempt = split_params(net, optim["decay_norm_and_bias"])
    name, decay = optim["name"], float(optim["weight_decay"])
    params = decayed + exempt
    # L2 decay (every optimizer but adamw, which decays itself) as each parameter's regularizer
    l2 = paddle.regularizer.L2Decay(decay) if decay and name != "adamw" else None
    for p in params:
        p.regularizer = None
    for p in decayed:
        p.regularizer = l2
    common = {"parameters": params, "learning_rate": schedule, "grad_clip": grad_clip}
    if name == "sgd":
        opt = paddle.optimizer.Momentum(momentum=optim["momentum"], use_nesterov=optim["nesterov"], **common)
    elif name == "adam":
        opt = paddle.optimizer.Adam(beta1=optim["beta1"], beta2=optim["beta2"], epsilon=optim["eps"], **common)
    elif name == "adamw":
        names = {p.name for p in decayed}
        opt = paddle.optimizer.AdamW(
            beta1=optim["beta1"],
            beta2=optim["beta2"],
            epsilon=optim["eps"],
            weight_decay=decay,
            apply_decay_param_fun=names.__contains__,
            **common,
        )
    else:
        opt = paddle.optimizer.RMSProp(
            rho=optim["alpha"], momentum=optim["momentum"], epsilon=optim["eps"] ** 2, **common
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
