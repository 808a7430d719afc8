"""The command line: train a VAE, evaluate it, draw samples.

    python -m vae_from_scratch train --data digits --latent 2 --epochs 50 --out model.npz
    python -m vae_from_scratch evaluate --model model.npz --data digits -K 500
    python -m vae_from_scratch sample --model model.npz --n 64 --out samples.png

Every command is a thin layer over the library (``VAE``, ``evaluate``, ``plotting``); errors
in the arguments print one line saying what to change and exit with status 2.
"""
import argparse
import math
import sys
from pathlib import Path

import numpy as np

from .data import LOADERS, load_dataset
from .optim import DEFAULT_LR, OPTIMIZERS


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Shows each option's default (where there is one) and keeps the examples' line breaks."""

    def _get_help_string(self, action):
        if action.required or action.default in (None, False):
            return action.help
        return super()._get_help_string(action)


DATA_HELP = (f"dataset: {', '.join(sorted(LOADERS))}. digits (8×8, 1797 images) and "
             "mnist-subset (28×28, 5000) ship with installed packages; fashion-mnist needs "
             "`apt-get install dataset-fashion-mnist`; mnist is downloaded once and checked by SHA-256")

TRAIN_EPILOG = """\
examples:
  # the book's first model: a 2-D latent on 8×8 digits, a few seconds
  python -m vae_from_scratch train --data digits --latent 2 --epochs 50 --out digits.npz

  # closer to the paper: Adagrad, paper initialisation, weight decay (a N(0, I) prior)
  python -m vae_from_scratch train --data mnist-subset --latent 10 --hidden 500 \\
      --optimizer adagrad --lr 0.02 --init paper --weight-decay 1 --epochs 100 --out mnist.npz

The bound printed each epoch is estimator B of the ELBO (eq. 7), in nats per datapoint, on the
whole training and test sets; higher is better.
"""

EVALUATE_EPILOG = """\
examples:
  python -m vae_from_scratch evaluate --model digits.npz --data digits -K 500
  python -m vae_from_scratch evaluate --model digits.npz --data digits --app-d --limit 100

Prints the ELBO (a lower bound) and the importance-sampled estimate of log p(x) with K samples
per datapoint (mean ± standard error over datapoints, in nats). --app-d adds the estimator of
the paper's Appendix D (HMC, for latents of dimension ≤ 4; slower).
"""

SAMPLE_EPILOG = """\
examples:
  python -m vae_from_scratch sample --model digits.npz --n 64 --out samples.png
  python -m vae_from_scratch sample --model digits.npz --manifold 20 --out manifold.png

Random samples show the decoder's mean for z ~ N(0, I) (the paper's Fig. 5); --manifold N
shows an N × N grid of the 2-D latent space mapped through the Gaussian inverse CDF (Fig. 4).
"""


def _hidden_sizes(text):
    try:
        sizes = tuple(int(s) for s in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hidden takes comma-separated integers such as 200 or 400,200, got {text!r}")
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"hidden layer sizes must be positive, got {text!r}")
    return sizes


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m vae_from_scratch", formatter_class=_HelpFormatter,
        description="Train, evaluate and sample variational auto-encoders (Kingma & Welling, "
                    "Auto-Encoding Variational Bayes) written from scratch in NumPy.",
        epilog="Run `python -m vae_from_scratch COMMAND --help` for each command's options.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser(
        "train", formatter_class=_HelpFormatter, epilog=TRAIN_EPILOG,
        help="train a VAE by AEVB and save it to an .npz file",
        description="Train a VAE (MLP encoder and decoder, App. C) with the SGVB estimator B "
                    "and minibatches (Algorithm 1), then save it.")
    train.add_argument("--data", default="digits", choices=sorted(LOADERS), help=DATA_HELP)
    train.add_argument("--latent", type=int, default=2, help="J, the dimension of the latent z")
    train.add_argument("--hidden", type=_hidden_sizes, default="200",
                       help="hidden layer sizes of encoder and decoder, comma-separated (400,200)")
    train.add_argument("--likelihood", default="bernoulli", choices=["bernoulli", "gaussian"],
                       help="p(x|z): bernoulli for images in [0, 1], gaussian for continuous data")
    train.add_argument("--epochs", type=int, default=50, help="passes over the training set")
    train.add_argument("--batch-size", type=int, default=100, help="M, datapoints per minibatch")
    train.add_argument("--optimizer", default="adam", choices=sorted(OPTIMIZERS),
                       help="adam, or adagrad as in the paper, or plain sgd")
    train.add_argument("--lr", type=float, default=None,
                       help="learning rate; default per optimizer: "
                            + ", ".join(f"{k} {v:g}" for k, v in sorted(DEFAULT_LR.items())))
    train.add_argument("--samples", type=int, default=1,
                       help="L, noise samples per datapoint in each step (the paper uses 1)")
    train.add_argument("--beta", type=float, default=1.0, help="weight of the KL term (1 = the ELBO)")
    train.add_argument("--weight-decay", type=float, default=0.0,
                       help="λ: add λ·log N(w; 0, I)/N per datapoint (1 = the paper's MAP prior)")
    train.add_argument("--binarization", default="auto", choices=["auto", "dynamic", "static", "none"],
                       help="dynamic: resample binary pixels every minibatch; static: threshold "
                            "0.5; none: use grey levels; auto: dynamic for bernoulli, none for gaussian")
    train.add_argument("--init", default="glorot", choices=["glorot", "paper"],
                       help="weight initialisation: glorot, or the paper's N(0, 0.01²)")
    train.add_argument("--seed", type=int, default=0, help="seed of initialisation, shuffling and noise")
    train.add_argument("--out", required=True, type=Path, help="where to save the model (.npz)")
    train.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(run=run_train)

    evaluate = commands.add_parser(
        "evaluate", formatter_class=_HelpFormatter, epilog=EVALUATE_EPILOG,
        help="estimate the ELBO and log p(x) of a saved model on a dataset",
        description="Estimate the ELBO and the marginal log-likelihood log p(x) of a saved model.")
    evaluate.add_argument("--model", required=True, type=Path, help="a model saved by `train`")
    evaluate.add_argument("--data", default=None, choices=sorted(LOADERS),
                          help="dataset (default: the one the model was trained on)")
    evaluate.add_argument("--split", default="test", choices=["train", "test"], help="which part of the data")
    evaluate.add_argument("-K", type=int, default=500, help="importance samples per datapoint")
    evaluate.add_argument("-L", type=int, default=10,
                          help="noise samples per datapoint for the ELBO (more: less Monte Carlo noise)")
    evaluate.add_argument("--limit", type=int, default=None, help="use only the first N datapoints")
    evaluate.add_argument("--app-d", action="store_true",
                          help="also run the Appendix D estimator (HMC; latent dimension ≤ 4)")
    evaluate.add_argument("--seed", type=int, default=0, help="seed of the Monte Carlo estimates")
    evaluate.set_defaults(run=run_evaluate)

    sample = commands.add_parser(
        "sample", formatter_class=_HelpFormatter, epilog=SAMPLE_EPILOG,
        help="save a PNG grid of samples (or the 2-D latent manifold) of a saved model",
        description="Decode random z ~ N(0, I), or a grid of the 2-D latent space, to a PNG.")
    sample.add_argument("--model", required=True, type=Path, help="a model saved by `train`")
    sample.add_argument("--n", type=int, default=64, help="number of random samples")
    sample.add_argument("--manifold", type=int, default=None, metavar="N",
                        help="instead, an N × N grid of the latent space (2-D latent only)")
    sample.add_argument("--shape", default=None,
                        help="image height×width such as 28x20 (default: saved with the model)")
    sample.add_argument("--seed", type=int, default=0, help="seed of the random z")
    sample.add_argument("--out", required=True, type=Path, help="the PNG file to write")
    sample.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    sample.set_defaults(run=run_sample)
    return parser


def _refuse_existing(path, force):
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists; add --force to overwrite it")
    if not path.parent.exists():
        raise FileNotFoundError(f"the folder {path.parent} does not exist")


def run_train(args, out):
    # imported here, not at the top, so that `--help` answers at once
    from .models import VAE
    from .train import resolve_binarization

    _refuse_existing(args.out, args.force)  # before training, not after 50 epochs
    binarization = resolve_binarization(None if args.binarization == "none" else args.binarization,
                                        args.likelihood)
    dataset = load_dataset(args.data)
    vae = VAE(latent_dim=args.latent, hidden=args.hidden, likelihood=args.likelihood,
              init=args.init, seed=args.seed)

    def report(epoch, params, history):
        print(f"epoch {epoch:4d}   train bound {history.train_bound[-1]:9.3f}   "
              f"test bound {history.test_bound[-1]:9.3f}   nats per datapoint", file=out)

    vae.fit(dataset.x_train, dataset.x_test, epochs=args.epochs, batch_size=args.batch_size,
            optimizer=args.optimizer, lr=args.lr, n_samples=args.samples, beta=args.beta,
            weight_decay=args.weight_decay, binarization=binarization, progress=not args.quiet,
            callbacks=[report])
    vae.metadata = {"data": args.data, "image_shape": list(dataset.image_shape),
                    "binarization": binarization, "optimizer": args.optimizer,
                    "lr": args.lr, "batch_size": args.batch_size}
    vae.save(args.out, overwrite=args.force)
    print(f"saved {vae!r} to {args.out}", file=out)
    return 0


def run_evaluate(args, out):
    from .evaluate import app_d_log_likelihood
    from .models import VAE
    from .train import EVAL_TEST_STREAM, EVAL_TRAIN_STREAM, evaluation_copy, resolve_binarization

    vae = VAE.load(args.model)
    name = args.data or vae.metadata.get("data")
    if name is None:
        raise ValueError("the model file does not say which data it was trained on; pass --data")
    dataset = load_dataset(name)
    x = dataset.x_test if args.split == "test" else dataset.x_train
    # the same fixed (binarized) copy of the data that training reported its bounds on
    binarization = vae.metadata.get("binarization", resolve_binarization("auto", vae.likelihood))
    stream = EVAL_TEST_STREAM if args.split == "test" else EVAL_TRAIN_STREAM
    x = evaluation_copy(x, binarization, vae.seed, stream)
    if args.limit is not None:
        if args.limit < 1:
            raise ValueError(f"--limit must be a positive integer, got {args.limit}")
        x = x[:args.limit]
    elbo = vae.elbo(x, n_samples=args.L, rng=args.seed)
    se = np.std(elbo, ddof=1) / math.sqrt(len(elbo)) if len(elbo) > 1 else math.nan
    print(f"{name} {args.split} set, {len(x)} datapoints, binarization: {binarization}", file=out)
    print(f"{f'ELBO (estimator B, L = {args.L}):':31s}{np.mean(elbo):9.3f} ± {se:.3f} nats", file=out)
    ll = vae.log_likelihood(x, K=args.K, rng=args.seed)
    print(f"{'log p(x), importance sampled:':31s}{ll.mean:9.3f} ± {ll.stderr:.3f} nats (K = {args.K})", file=out)
    if args.app_d:
        if vae.latent_dim > 4:
            raise ValueError(f"--app-d is for latent dimensions ≤ 4 (App. D), this model has {vae.latent_dim}")
        est = app_d_log_likelihood(vae.params, x, vae.likelihood, rng=args.seed)
        print(f"{'log p(x), Appendix D (HMC):':31s}{est.mean:9.3f} ± {est.stderr:.3f} nats "
              f"(acceptance {est.details['acceptance_rate']:.2f})", file=out)
    return 0


def _image_shape(text, vae):
    if text is not None:
        try:
            height, width = (int(v) for v in text.lower().split("x"))
        except ValueError:
            raise ValueError(f"--shape takes height×width such as 28x28, got {text!r}") from None
    elif "image_shape" in vae.metadata:
        height, width = vae.metadata["image_shape"]
    else:
        side = math.isqrt(vae.x_dim)
        if side * side != vae.x_dim:
            raise ValueError(f"cannot guess the image shape of D = {vae.x_dim}; pass --shape HxW")
        height, width = side, side
    if height * width != vae.x_dim:
        raise ValueError(f"--shape {height}x{width} has {height * width} pixels, the model D = {vae.x_dim}")
    return height, width


def run_sample(args, out):
    from . import plotting
    from .models import VAE

    _refuse_existing(args.out, args.force)
    vae = VAE.load(args.model)
    shape = _image_shape(args.shape, vae)
    if args.manifold is not None:
        if vae.latent_dim != 2:
            raise ValueError(f"--manifold needs a 2-D latent space, this model has {vae.latent_dim}")
        if args.manifold < 1:
            raise ValueError(f"--manifold must be a positive integer, got {args.manifold}")
        images, ncols = vae.decode(plotting.manifold_latents(args.manifold)), args.manifold
    else:
        if args.n < 1:
            raise ValueError(f"--n must be a positive integer, got {args.n}")
        images, ncols = vae.sample(args.n, rng=args.seed), None
    plotting.save_image_grid(images, shape, args.out, ncols=ncols, overwrite=args.force)
    print(f"wrote {len(images)} images to {args.out}", file=out)
    return 0


def main(argv=None, out=None):
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    out = sys.stdout if out is None else out
    args = build_parser().parse_args(argv)
    try:
        return args.run(args, out)
    except (ValueError, TypeError, OSError, RuntimeError, FloatingPointError) as err:
        # FloatingPointError covers train.TrainingDiverged; OSError the file errors
        print(f"error: {err}", file=sys.stderr)
        return 2
