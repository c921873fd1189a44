"""Explanations for the visual audit: saliency maps (captum), feature-inversion decoders, filter groups.

One idea per module (``gradcam``, ``reconstruction``, ...); import what you need from the module itself.
"""
