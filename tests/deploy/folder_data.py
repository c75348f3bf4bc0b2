"""A folder of class subfolders the deploy tests train on: colour swatches of three classes
("red", "green", "blue"), each a noisy image of its own size so that the recipe's resize and
centre crop do real work, as PNG files (lossless: every decoder reads the same pixels). Half the
validation images are muddled, a second channel nearly as bright as their own, so that the network
is unsure of them and gets some wrong: its probabilities are not all 0 or 1, and its mistakes
show whether two ways of predicting agree image by image."""

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


def swatch(rng: np.random.Generator, colour: str, muddled: bool = False) -> np.ndarray:
    """uint8 (H, W, 3) of random size, the class's channel bright, the others dim, with noise;
    muddled, another channel bright too."""
    h, w = rng.integers(18, 48, 2)
    image = rng.integers(0, 90, (h, w, 3))
    own = ("red", "green", "blue").index(colour)
    image[..., own] += 150
    if muddled:
        image[..., (own + rng.integers(1, 3)) % 3] += rng.integers(110, 150)
    return image.clip(0, 255).astype(np.uint8)


def swatches(root: Path, per_class: dict[str, int], seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    for split, n in per_class.items():
        for colour in CLASSES:
            folder = root / split / colour
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(n):
                muddled = split == "val" and i % 2 == 1
                Image.fromarray(swatch(rng, colour, muddled)).save(folder / f"{colour}{i:03d}.png")
    return root


def recipe(root: Path, backend: str) -> Path:
    path = root / f"swatches_{backend}.yaml"
    path.write_text(RECIPE.format(root=root, backend=backend))
    return path
