"""The Paddle backend's task adapters: for each task (runner.catalog.tasks), its network, the loss
and metrics paddle.Model.prepare takes, and its share of an evaluation, plugged into the one
paddle.Model driver in model.py. Each adapter offers network(), loss(network), metrics(network),
tally(classes) and add(tally, logits, target); the loss and metrics are given the network so they
can tell training batches from validation ones (paddle.Model calls both on each)."""

from collections.abc import Callable

import paddle
import paddle.nn.functional as F

from runner.backends.paddle.networks import build_network
from runner.backends.paddle.segmentation import Segmentation
from runner.recipe.compile import Program
from runner.run.scores import Tally


class SmoothedCrossEntropy(paddle.nn.Layer):
    """Cross-entropy over hard labels or the soft labels mixup and cutmix make, with label
    smoothing while `training()` says the network trains: torch's meaning, the target becoming
    (1 - smoothing) * target + smoothing / classes. paddle.Model computes validation loss with the
    same layer, after putting the network in eval mode: there it is plain cross-entropy, the
    val_loss the Lightning backend and `runner eval` report."""

    def __init__(self, classes: int, smoothing: float, training: Callable[[], bool] = lambda: True):
        super().__init__()
        self.classes, self.smoothing, self.training_now = classes, smoothing, training

    def forward(self, logits: paddle.Tensor, target: paddle.Tensor) -> paddle.Tensor:
        if not paddle.is_floating_point(target):
            target = F.one_hot(target.reshape([-1]), self.classes)
        smoothing = self.smoothing if self.training_now() else 0.0
        target = target.astype("float32") * (1 - smoothing) + smoothing / self.classes
        log_p = F.log_softmax(logits.astype("float32"), axis=-1)
        return -(target * log_p).sum(axis=-1).mean()


class Classification:
    """A backbone with one output per class; cross-entropy (label smoothing in training only) and
    accuracy, which paddle.Model logs as `acc`."""

    def __init__(self, program: Program):
        self.program = program

    def network(self) -> paddle.nn.Layer:
        return build_network(self.program)

    def loss(self, network: paddle.nn.Layer) -> paddle.nn.Layer:
        return SmoothedCrossEntropy(
            self.program.num_classes, self.program.loop.label_smoothing, lambda: network.training
        )

    def metrics(self, network: paddle.nn.Layer) -> list:
        return [paddle.metric.Accuracy()]

    def tally(self, classes: int) -> Tally:
        return Tally(classes)

    def add(self, tally: Tally, logits: paddle.Tensor, labels: paddle.Tensor) -> None:
        """Add a batch to an evaluation's counts (top-k hits, confusion matrix, summed loss)."""
        logits = logits.astype("float32")
        ranked = paddle.topk(logits, tally.top, axis=1)[1]
        loss = F.cross_entropy(logits, labels.reshape([-1, 1]), reduction="sum")
        tally.add(ranked.numpy(), labels.numpy(), float(loss))

    def predict(self, net: paddle.nn.Layer, x: paddle.Tensor) -> list:
        """Each image's class probabilities, float32 (classes,)."""
        return list(F.softmax(net(x).astype("float32"), axis=1).numpy())


# Task name (the catalog's) -> adapter class.
ADAPTERS = {"classification": Classification, "segmentation": Segmentation}
