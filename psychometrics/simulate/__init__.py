"""Simulated data: latent variables from structural paths and ordinal items cut from them
(:mod:`.latent`); Monte Carlo power builds on it."""

from .latent import ordinal_items, simulate_latent

__all__ = ["simulate_latent", "ordinal_items"]
