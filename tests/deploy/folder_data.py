"""A folder of class subfolders the deploy tests train on: colour swatches of three classes
("red", "green", "blue"), each a noisy image of its own size so that the recipe's resize and
centre crop do real work, as PNG files (lossless: every decoder reads the same pixels)."""

from pathlib import Path

import numpy as np
from PIL import Image

CLASSES = ("blue", "green", "red")  # folder order, as the runner sorts them
RECIPE = """\
schema_version: 1
name: swatches
backend: {backend}
seed: 0
task: classification
model:
  backbone: simple_cnn
data:
  dataset: folder
  train_dir: {root}/train
  val_dir: {root}/val
  batch_size: 16
  num_workers: 0
augment:
  train:
    - name: resize
      size: 20
    - name: center_crop
      size: 16
    - name: normalize
  eval:
    - name: resize
      size: 20
    - name: center_crop
      size: 16
    - name: normalize
optim:
  name: adam
  lr: 0.01
train:
  epochs: 2
hardware:
  accelerator: cpu
  devices: 1
  precision: 32
log:
  tensorboard: false
"""


def swatch(rng: np.random.Generator, colour: str) -> np.ndarray:
    """uint8 (H, W, 3) of random size, the class's channel bright, the others dim, with noise."""
    h, w = rng.integers(18, 48, 2)
    image = rng.integers(0, 90, (h, w, 3))
    image[..., ("red", "green", "blue").index(colour)] += 150
    return image.clip(0, 255).astype(np.uint8)


def swatches(root: Path, per_class: dict[str, int], seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    for split, n in per_class.items():
        for colour in CLASSES:
            folder = root / split / colour
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(n):
                Image.fromarray(swatch(rng, colour)).save(folder / f"{colour}{i:03d}.png")
    return root


def recipe(root: Path, backend: str) -> Path:
    path = root / f"swatches_{backend}.yaml"
    path.write_text(RECIPE.format(root=root, backend=backend))
    return path
