"""The reader-facing models: toy latent-variable models, the linear-Gaussian model, the VAE."""
from .vae import VAE
from .wake_sleep import fit_wake_sleep

__all__ = ["VAE", "fit_wake_sleep"]
