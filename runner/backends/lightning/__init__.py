"""The Lightning backend: a compiled Program trained with PyTorch Lightning."""
