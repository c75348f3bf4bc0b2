"""runner: declarative YAML recipes for training image classifiers."""

__version__ = "0.1.0"
