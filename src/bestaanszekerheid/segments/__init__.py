"""Segments: latent class analysis of households (mixed indicators, model choice, 3-step)."""

from bestaanszekerheid.segments.model import LatentClassModel

__all__ = ["LatentClassModel"]
