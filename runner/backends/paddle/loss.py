"""Cross-entropy with label smoothing over hard labels or the soft labels mixup and cutmix make,
with torch's meaning: the target becomes (1 - smoothing) * target + smoothing / classes."""

import paddle
import paddle.nn.functional as F


class SmoothedCrossEntropy(paddle.nn.Layer):
    def __init__(self, classes: int, smoothing: float):
        super().__init__()
        self.classes, self.smoothing = classes, smoothing

    def forward(self, logits: paddle.Tensor, target: paddle.Tensor) -> paddle.Tensor:
        if not paddle.is_floating_point(target):
            target = F.one_hot(target.reshape([-1]), self.classes)
        target = target.astype("float32") * (1 - self.smoothing) + self.smoothing / self.classes
        log_p = F.log_softmax(logits.astype("float32"), axis=-1)
        return -(target * log_p).sum(axis=-1).mean()
