"""When a run validates: after every `train.val_every` epochs counted from its first, and always
after its last, whether or not it was stopped and resumed in between. Both backends follow this
one rule, so their metrics.csv rows and best checkpoints fall on the same epochs."""


def validates(epoch: int, epochs: int, val_every: int) -> bool:
    """Whether the 0-based `epoch` of `epochs` ends with a validation."""
    return (epoch + 1) % val_every == 0 or epoch + 1 == epochs
