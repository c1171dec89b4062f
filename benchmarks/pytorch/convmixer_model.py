"""ConvMixer in PyTorch for the benchmark scripts: the official repository's architecture (residual around the
spatial mixing, as in the paper and timm), written here so the scripts need nothing beyond torch."""
from torch import nn


class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x) + x


def conv_mixer(dim, depth, kernel_size, patch_size, n_classes, in_channels=3, act=nn.GELU):
    return nn.Sequential(
        nn.Conv2d(in_channels, dim, kernel_size=patch_size, stride=patch_size),
        act(),
        nn.BatchNorm2d(dim),
        *[nn.Sequential(
            Residual(nn.Sequential(
                nn.Conv2d(dim, dim, kernel_size, groups=dim, padding="same"),
                act(),
                nn.BatchNorm2d(dim))),
            nn.Conv2d(dim, dim, kernel_size=1),
            act(),
            nn.BatchNorm2d(dim)) for _ in range(depth)],
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
        nn.Linear(dim, n_classes))
