"""Optimizers. Each function declares a name and its parameters; the Lightning backend maps it
onto torch.optim and the Paddle backend onto paddle.optimizer with the same meaning."""

from typing import Annotated

from runner.catalog.registry import Param, Registry

optimizers = Registry("optimizer", "optimizers")

LearningRate = Annotated[float, Param("peak learning rate", min=0.0, max=100.0)]
WeightDecay = Annotated[float, Param("L2 penalty (decoupled for adamw)", min=0.0, max=1.0)]
Beta1 = Annotated[float, Param("decay of the first-moment average", min=0.0, max=0.99999)]
Beta2 = Annotated[float, Param("decay of the second-moment average", min=0.0, max=0.99999)]
Eps = Annotated[float, Param("added to the denominator for stability", min=0.0)]


@optimizers.register
def sgd(
    lr: LearningRate,
    momentum: Annotated[float, Param("momentum factor", min=0.0, max=0.99999)] = 0.9,
    nesterov: Annotated[bool, Param("use Nesterov momentum")] = False,
    weight_decay: WeightDecay = 0.0,
):
    """Stochastic gradient descent with (Nesterov) momentum."""


@optimizers.register
def adam(lr: LearningRate, beta1: Beta1 = 0.9, beta2: Beta2 = 0.999, eps: Eps = 1e-8, weight_decay: WeightDecay = 0.0):
    """Adam (Kingma & Ba, 2015), weight decay added to the gradient."""


@optimizers.register
def adamw(
    lr: LearningRate, beta1: Beta1 = 0.9, beta2: Beta2 = 0.999, eps: Eps = 1e-8, weight_decay: WeightDecay = 0.01
):
    """AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay."""


@optimizers.register
def rmsprop(
    lr: LearningRate,
    alpha: Annotated[float, Param("decay of the squared-gradient average", min=0.0, max=0.99999)] = 0.99,
    momentum: Annotated[float, Param("momentum factor", min=0.0, max=0.99999)] = 0.0,
    eps: Eps = 1e-8,
    weight_decay: WeightDecay = 0.0,
):
    """RMSprop (Hinton, 2012)."""
