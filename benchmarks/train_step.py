"""Milliseconds per training step of the MLP VAE: autograd vs the hand-written backward pass.

One step = forward pass + backward pass of SGVB estimator B (eq. 7, L = 1) + an Adam update,
on one BLAS thread. Prints a Markdown table (median over repeats) for two networks, float64 and
float32, plus PyTorch on the CPU with the same network when ``import torch`` works.

    python benchmarks/train_step.py            # about a minute
    python benchmarks/train_step.py --quick    # a few seconds, noisier

Targets (benchmarks/README.md): manual ≤ PyTorch, autograd ≤ 2 × PyTorch.
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy loads its BLAS: one thread is the robust setting here

import argparse  # noqa: E402
import pathlib  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # run from a checkout

import autograd  # noqa: E402
import autograd.numpy as anp  # noqa: E402
import numpy as np  # noqa: E402

from vae_from_scratch import nn, objectives  # noqa: E402
from vae_from_scratch.backprop import elbo_b_value_and_grad  # noqa: E402

NETWORKS = [(784, 400, 20), (64, 128, 2)]  # (D, hidden, J): one tanh hidden layer each side
BATCH = 100


def _leaves(tree):
    if isinstance(tree, (list, tuple)):
        return [leaf for branch in tree for leaf in _leaves(branch)]
    return [tree]


try:
    from vae_from_scratch.optim import Adam
except ImportError:  # the package's optimizer is written in parallel; until then, the same maths
    class Adam:
        def __init__(self, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
            self.lr, self.b1, self.b2, self.eps, self.t, self.state = lr, b1, b2, eps, 0, None

        def step(self, params, grads):  # in-place DESCENT update, array by array
            ps, gs = _leaves(params), _leaves(grads)
            if self.state is None:
                self.state = [(np.zeros_like(p), np.zeros_like(p)) for p in ps]
            self.t += 1
            lr_t = self.lr * (1.0 - self.b2 ** self.t) ** 0.5 / (1.0 - self.b1 ** self.t)
            for p, g, (m, v) in zip(ps, gs, self.state):
                m *= self.b1
                m += (1.0 - self.b1) * g
                v *= self.b2
                v += (1.0 - self.b2) * (g * g)
                denom = np.sqrt(v)
                denom += self.eps
                np.divide(m, denom, out=denom)
                denom *= lr_t
                p -= denom


def make_problem(D, H, J, dtype, seed=0):
    rng = np.random.default_rng(seed)
    params = (nn.init_gaussian_mlp(D, [H], J, rng, init="glorot", dtype=dtype),
              nn.init_mlp([J, H, D], rng, init="glorot", dtype=dtype))
    x = (rng.random((BATCH, D)) < 0.2).astype(dtype)  # binary, about as dense as MNIST
    return params, x, rng


def manual_stepper(params, x, rng, dtype, J):
    optimizer = Adam(1e-3)

    def step():
        eps = rng.standard_normal((1, BATCH, J)).astype(dtype)
        _, grads = elbo_b_value_and_grad(params, x, eps)
        for g in _leaves(grads):
            np.negative(g, out=g)  # ascent direction of the bound → descent direction of the loss
        optimizer.step(params, grads)

    return step


def autograd_stepper(params, x, rng, dtype, J):
    optimizer = Adam(1e-3)

    def loss(p, eps):
        return -anp.mean(objectives.elbo_estimator_b(p, x, eps))

    value_and_grad = autograd.value_and_grad(loss)

    def step():
        eps = rng.standard_normal((1, BATCH, J)).astype(dtype)
        _, grads = value_and_grad(params, eps)
        optimizer.step(params, grads)

    return step


def adam_only_stepper(params, x, rng, dtype, J):
    optimizer = Adam(1e-3)
    grads = [1e-3 * np.ones_like(p) for p in _leaves(params)]
    flat = _leaves(params)
    return lambda: optimizer.step(flat, grads)


def torch_stepper(D, H, J, dtype, seed=0):
    import torch

    torch.set_num_threads(1)
    if hasattr(torch, "set_num_interop_threads"):
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # only allowed before the first parallel work
            pass
    torch.manual_seed(seed)
    tdtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    lin = lambda n_in, n_out: torch.nn.Linear(n_in, n_out, dtype=tdtype)  # noqa: E731
    enc_h, enc_mu, enc_lv = lin(D, H), lin(H, J), lin(H, J)
    dec_h, dec_out = lin(J, H), lin(H, D)
    modules = [enc_h, enc_mu, enc_lv, dec_h, dec_out]
    optimizer = torch.optim.Adam([p for m in modules for p in m.parameters()], lr=1e-3)
    x = (torch.rand(BATCH, D, dtype=tdtype) < 0.2).to(tdtype)

    def step():
        h = torch.tanh(enc_h(x))
        mu, log_var = enc_mu(h), enc_lv(h)
        z = mu + torch.exp(0.5 * log_var) * torch.randn(BATCH, J, dtype=tdtype)
        logits = dec_out(torch.tanh(dec_h(z)))
        log_lik = -torch.nn.functional.binary_cross_entropy_with_logits(
            logits, x, reduction="none").sum(-1)
        kl = 0.5 * (mu ** 2 + log_var.exp() - 1.0 - log_var).sum(-1)
        loss = -(log_lik - kl).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    return step


CLOCKS = {
    # CPU time of this process: on a machine shared with other jobs it still measures our work
    # (one thread), where wall time also counts the time we wait for a core.
    "cpu": time.process_time,
    "wall": time.perf_counter,
}


def time_ms(step, steps, repeats, clock=time.process_time):
    """Median over ``repeats`` of the mean time of ``steps`` consecutive steps, in ms."""
    for _ in range(max(3, steps // 5)):
        step()  # warm up: allocator, BLAS buffers, optimizer state
    runs = []
    for _ in range(repeats):
        t0 = clock()
        for _ in range(steps):
            step()
        runs.append((clock() - t0) / steps * 1e3)
    return statistics.median(runs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="steps per timed run (default 20)")
    parser.add_argument("--repeats", type=int, default=9, help="timed runs per cell (default 9)")
    parser.add_argument("--quick", action="store_true", help="5 steps x 3 repeats")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu",
                        help="cpu: process CPU time (default; robust on a busy machine); wall")
    args = parser.parse_args(argv)
    steps, repeats = (5, 3) if args.quick else (args.steps, args.repeats)
    clock = CLOCKS[args.clock]

    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False

    print(f"# ms per training step (forward + backward + Adam), batch {BATCH}, L = 1, "
          f"one thread; {args.clock} time, median of {repeats} runs of {steps} steps")
    print(f"# {platform.machine()}, Python {platform.python_version()}, NumPy {np.__version__}")
    print()
    print("| network | dtype | autograd | manual | PyTorch | Adam alone | autograd / manual |")
    print("|---|---|---|---|---|---|---|")
    for D, H, J in NETWORKS:
        for dtype in (np.float64, np.float32):
            cells = {}
            for name, make in (("autograd", autograd_stepper), ("manual", manual_stepper),
                               ("adam", adam_only_stepper)):
                params, x, rng = make_problem(D, H, J, dtype)
                cells[name] = time_ms(make(params, x, rng, dtype, J), steps, repeats, clock)
            if have_torch:
                torch_cell = f"{time_ms(torch_stepper(D, H, J, dtype), steps, repeats, clock):.2f}"
            else:
                torch_cell = "torch not installed"
            print(f"| {D}-{H}-{J} | {np.dtype(dtype).name} | {cells['autograd']:.2f} | "
                  f"{cells['manual']:.2f} | {torch_cell} | {cells['adam']:.2f} | "
                  f"{cells['autograd'] / cells['manual']:.1f}x |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
