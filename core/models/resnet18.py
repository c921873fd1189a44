"""torchvision's ResNet-18 adapted to small inputs (3x3 stem, no max-pool); split after layer2."""

from __future__ import annotations

from torch import nn
from torchvision.models import resnet18

from core.models.base import MODELS, ModelSpec, SplitModel


@MODELS.register("resnet18", "torchvision ResNet-18 for small images (3x3 stem, no max-pool); split after layer2")
class ResNet18(SplitModel):
    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        net = resnet18(weights=None, num_classes=spec.out_dim)
        net.conv1 = nn.Conv2d(spec.in_channels, 64, 3, 1, 1, bias=False)
        self.bottom = nn.Sequential(net.conv1, net.bn1, net.relu, net.layer1, net.layer2)
        self.top = nn.Sequential(net.layer3, net.layer4, net.avgpool, nn.Flatten())
        self.fc = net.fc
