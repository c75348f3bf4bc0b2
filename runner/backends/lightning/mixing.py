"""Steps that mix pairs of images and their labels: mixup and cutmix (registered `batch=True`).

Each takes and returns (x, target): target is int64 labels or, once a mixing step has run, float
(N, num_classes) soft labels that sum to 1 per row. Image i is mixed with image i - 1 (a roll of
the already shuffled batch, as torchvision's v2.MixUp and v2.CutMix pair them), each pair with its
own Beta(alpha, alpha) weight, where torchvision draws one per batch.
"""

import torch
import torch.nn.functional as F

from runner.backends.lightning.augment_boxes import box_mask, randint_below


def soft_targets(target: torch.Tensor, num_classes: int) -> torch.Tensor:
    return target if target.is_floating_point() else F.one_hot(target, num_classes).float()


def beta(alpha: float, n: int, device) -> torch.Tensor:
    """n draws of Beta(alpha, alpha); alpha 0 turns mixing off (every weight 1)."""
    if alpha <= 0:
        return torch.ones(n, device=device)
    a = torch.full((n,), float(alpha), device=device)
    # validate_args=False: checking the parameters would wait for the device on every batch
    return torch.distributions.Beta(a, a, validate_args=False).sample()


def mix_targets(target: torch.Tensor, kept: torch.Tensor, num_classes: int) -> torch.Tensor:
    """kept[i] of image i's label plus 1 - kept[i] of its partner's."""
    soft = soft_targets(target, num_classes)
    kept = kept[:, None]
    return kept * soft + (1 - kept) * soft.roll(1, 0)


class Mixup:
    """x_i -> lam_i x_i + (1 - lam_i) x_(i-1), labels likewise (Zhang et al., 2018)."""

    mixes_labels = True

    def __init__(self, num_classes: int, alpha: float = 0.2):
        self.num_classes, self.alpha = num_classes, alpha

    def __call__(self, x: torch.Tensor, target: torch.Tensor):
        lam = beta(self.alpha, x.shape[0], x.device).to(x.dtype)
        w = lam[:, None, None, None]
        return w * x + (1 - w) * x.roll(1, 0), mix_targets(target, lam, self.num_classes)


class CutMix:
    """Paste a box of image i - 1 into image i and mix labels by the area kept (Yun et al., 2019).
    The box follows v2.CutMix: centre uniform over the image, half-sides floor(sqrt(1 - lam) / 2 x
    side), clipped to the image, so the label weight is 1 - clipped area / image area."""

    mixes_labels = True

    def __init__(self, num_classes: int, alpha: float = 1.0):
        self.num_classes, self.alpha = num_classes, alpha

    def __call__(self, x: torch.Tensor, target: torch.Tensor):
        n, _, h, w = x.shape
        lam = beta(self.alpha, n, x.device)
        r = 0.5 * (1 - lam).sqrt()
        half_h, half_w = (r * h).long(), (r * w).long()  # truncated, as torchvision's int()
        cy = randint_below(torch.full((n,), h, device=x.device))
        cx = randint_below(torch.full((n,), w, device=x.device))
        y1, y2 = (cy - half_h).clamp(min=0), (cy + half_h).clamp(max=h)
        x1, x2 = (cx - half_w).clamp(min=0), (cx + half_w).clamp(max=w)
        mask = box_mask(y1, x1, y2 - y1, x2 - x1, h, w)
        kept = 1 - ((y2 - y1) * (x2 - x1)).to(x.dtype) / (h * w)
        return torch.where(mask, x.roll(1, 0), x), mix_targets(target, kept, self.num_classes)
