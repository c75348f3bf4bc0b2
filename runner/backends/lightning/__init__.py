"""The Lightning backend: a compiled Program trained with PyTorch Lightning. entry.py holds what
runner.backends calls (train, dry_run, load_for_inference, evaluate); tasks.py the task adapters;
module.py the one LightningModule; the rest its data, networks, optimizers, augmentation steps
and callbacks.

May import torch, torchvision, lightning, timm and the framework-free packages; never the Paddle
backend.
"""
