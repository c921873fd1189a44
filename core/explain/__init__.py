"""Explanations of a model's decisions: saliency maps (captum), filter groups and their eigengap."""

from core.explain.guided_backprop import guided_backprop, region_share, saliency  # noqa: F401
