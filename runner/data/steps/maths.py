"""The scalar maths of the augmentation steps, shared by every implementation of them (Lightning's
and Paddle's batched steps, and the per-image steps here): output sizes, centre-crop offsets,
the fallback box of a random resized crop, colour-jitter ranges, luma weights and the
random-erasing aspect ratios. Each follows torchvision.transforms.v2, which defines the steps.
"""

LUMA = (0.2989, 0.587, 0.114)  # ITU-R 601-2 weights of R, G, B, as torchvision and PIL use
ERASING_RATIO = (0.3, 3.3)  # aspect ratios (width / height) of an erased box: v2.RandomErasing's default


def resized_shape(h: int, w: int, size: int) -> tuple[int, int]:
    """(height, width) with the shorter side `size`, the longer truncated as torchvision does."""
    longer = int(size * max(h, w) / min(h, w))
    return (size, longer) if h <= w else (longer, size)


def centre_offsets(h: int, w: int, size: int) -> tuple[list[int], int, int]:
    """(padding [left, right, top, bottom], top, left) of torchvision's center crop: zero padding
    where the image is smaller than `size`, then the window at round((side - size) / 2)."""
    ph, pw = max(size - h, 0), max(size - w, 0)
    pad = [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2]
    return pad, int(round((h + ph - size) / 2.0)), int(round((w + pw - size) / 2.0))


def fallback_box(h: int, w: int, ratio) -> tuple[int, int]:
    """torchvision's central crop when no draw fits: the image, its ratio clamped to `ratio`."""
    if w / h < min(ratio):
        return int(round(w / min(ratio))), w
    if w / h > max(ratio):
        return h, int(round(h * max(ratio)))
    return h, w


def jitter_ranges(brightness: float, contrast: float, saturation: float, hue: float) -> list:
    """(kind, (low, high)) for each colour change that does something, in v2.ColorJitter's order:
    kinds 0-2 are factors uniform in [max(0, 1 - f), 1 + f] for brightness, contrast and
    saturation, kind 3 a hue shift uniform in [-hue, hue]."""
    ranges = [(max(0.0, 1 - f), 1 + f) for f in (brightness, contrast, saturation)] + [(-hue, hue)]
    return [(kind, r) for kind, r in enumerate(ranges) if r[0] != r[1]]
