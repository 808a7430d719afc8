"""vae_from_scratch: the from-scratch NumPy/autograd VAE library behind the book."""
__version__ = "0.1.0"
