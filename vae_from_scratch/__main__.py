"""``python -m vae_from_scratch``: see :mod:`vae_from_scratch.cli`."""
from .cli import main

raise SystemExit(main())
