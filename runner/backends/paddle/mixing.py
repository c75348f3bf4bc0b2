"""Steps that mix pairs of images and their labels: mixup and cutmix (registered `batch=True`),
the Paddle twin of runner/backends/lightning/mixing.py.

Each takes and returns (x, target): target is int64 labels or, once a mixing step has run, float32
(N, num_classes) soft labels that sum to 1 per row. Image i is mixed with image i - 1 (a roll of
the already shuffled batch, as torchvision's v2.MixUp and v2.CutMix pair them), each pair with its
own Beta(alpha, alpha) weight, where torchvision draws one per batch.
"""

import paddle
import paddle.nn.functional as F

from runner.backends.paddle.augment_boxes import box_mask, randint_below


def soft_targets(target: paddle.Tensor, num_classes: int) -> paddle.Tensor:
    if paddle.is_floating_point(target):
        return target
    return F.one_hot(target.astype("int64"), num_classes).astype("float32")


def beta(alpha: float, n: int) -> paddle.Tensor:
    """n draws of Beta(alpha, alpha); alpha 0 turns mixing off (every weight 1)."""
    if alpha <= 0:
        return paddle.ones([n])
    a = paddle.full([n], float(alpha))
    return paddle.distribution.Beta(a, a).sample()


def mix_targets(target: paddle.Tensor, kept: paddle.Tensor, num_classes: int) -> paddle.Tensor:
    """kept[i] of image i's label plus 1 - kept[i] of its partner's."""
    soft = soft_targets(target, num_classes)
    kept = kept[:, None]
    return kept * soft + (1 - kept) * paddle.roll(soft, 1, axis=0)


class Mixup:
    """x_i -> lam_i x_i + (1 - lam_i) x_(i-1), labels likewise (Zhang et al., 2018)."""

    mixes_labels = True

    def __init__(self, num_classes: int, alpha: float = 0.2):
        self.num_classes, self.alpha = num_classes, alpha

    def __call__(self, x: paddle.Tensor, target: paddle.Tensor):
        lam = beta(self.alpha, x.shape[0]).astype(x.dtype)
        w = lam.reshape([-1, 1, 1, 1])
        return w * x + (1 - w) * paddle.roll(x, 1, axis=0), mix_targets(target, lam, self.num_classes)


class CutMix:
    """Paste a box of image i - 1 into image i and mix labels by the area kept (Yun et al., 2019).
    The box follows v2.CutMix: centre uniform over the image, half-sides floor(sqrt(1 - lam) / 2 x
    side), clipped to the image, so the label weight is 1 - clipped area / image area."""

    mixes_labels = True

    def __init__(self, num_classes: int, alpha: float = 1.0):
        self.num_classes, self.alpha = num_classes, alpha

    def __call__(self, x: paddle.Tensor, target: paddle.Tensor):
        n, _, h, w = x.shape
        r = 0.5 * paddle.sqrt(1 - beta(self.alpha, n))
        half_h, half_w = (r * h).astype("int64"), (r * w).astype("int64")  # truncated, as int()
        cy = randint_below(paddle.full([n], h, dtype="int64"))
        cx = randint_below(paddle.full([n], w, dtype="int64"))
        y1, y2 = paddle.clip(cy - half_h, min=0), paddle.clip(cy + half_h, max=h)
        x1, x2 = paddle.clip(cx - half_w, min=0), paddle.clip(cx + half_w, max=w)
        mask = box_mask(y1, x1, y2 - y1, x2 - x1, h, w)
        kept = 1 - ((y2 - y1) * (x2 - x1)).astype(x.dtype) / (h * w)
        return paddle.where(mask, paddle.roll(x, 1, axis=0), x), mix_targets(target, kept, self.num_classes)
