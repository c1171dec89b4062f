#!/usr/bin/python3
"""Writes the 1000 ImageNet-1k class names in class-index order, one per line, as torchvision lists them
(torchvision.models._meta._IMAGENET_CATEGORIES; duplicates are disambiguated, e.g. 'crane' and 'crane bird').

    /usr/bin/python3 tools/vision/export_imagenet_labels.py > src/ConvMixer.Vision/Resources/imagenet1k_labels.txt
"""
import sys

from torchvision.models._meta import _IMAGENET_CATEGORIES

assert len(_IMAGENET_CATEGORIES) == 1000 and len(set(_IMAGENET_CATEGORIES)) == 1000
sys.stdout.write("\n".join(_IMAGENET_CATEGORIES) + "\n")
