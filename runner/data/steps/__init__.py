"""Augmentation steps on one uint8 (C, H, W) numpy image, in numpy and PIL: what image-file data
runs in DataLoader workers before the batched steps on the device."""
