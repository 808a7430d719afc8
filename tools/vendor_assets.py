"""Fetch the site's JavaScript from the npm registry, verify it, and unpack it into ``_vendor/``.

The built website must work with no network, so MathJax is served from the site itself rather
than from a CDN. Nothing here is committed: the build fetches the exact versions below with
``npm pack`` (the npm registry is reachable wherever the book is built), checks each tarball
against the registry's SHA-512 integrity string recorded here, and unpacks only the files the
site needs. Tarballs are cached in ``.cache/npm/``.

Usage:  python tools/vendor_assets.py            (idempotent; prints what it did)
"""
import base64
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "npm"
VENDOR = ROOT / "_vendor"

# name, exact version, npm's dist.integrity, {path in tarball (prefix): path under _vendor/}
ASSETS = [
    (
        "mathjax",
        "3.2.2",
        "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        {
            "package/es5/tex-mml-chtml.js": "mathjax/tex-mml-chtml.js",
            "package/es5/output/chtml/fonts/woff-v2/": "mathjax/output/chtml/fonts/woff-v2/",
            # TeX packages that MathJax loads on first use (\boldsymbol, \require, ...)
            "package/es5/input/tex/extensions/": "mathjax/input/tex/extensions/",
        },
    ),
]


def integrity(path):
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def npm_tarball(name, version, expected):
    """The tarball of name@version from ``.cache/npm/`` or ``npm pack``, checked against its SHA-512.

    Also used by the browser tests (tests/site/browser.py) to fetch axe-core.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    tarball = CACHE / f"{name}-{version}.tgz"
    if not tarball.exists():
        if shutil.which("npm") is None:
            raise FileNotFoundError(f"npm is not installed; install Node.js (apt-get install npm) or put {tarball.name} in {CACHE}")
        # pack into a private folder, then move: two test workers may fetch the same tarball at once
        with tempfile.TemporaryDirectory(dir=CACHE) as private:
            subprocess.run(
                ["npm", "pack", f"{name}@{version}", "--pack-destination", private, "--silent"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            os.replace(pathlib.Path(private) / tarball.name, tarball)
    got = integrity(tarball)
    if got != expected:
        tarball.unlink()
        raise RuntimeError(f"{tarball.name} failed its integrity check\n  expected {expected}\n  got      {got}")
    return tarball


def unpack(tarball, mapping):
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            for source, target in mapping.items():
                if member.isfile() and (member.name == source or (source.endswith("/") and member.name.startswith(source))):
                    out = VENDOR / (target + member.name[len(source):] if source.endswith("/") else target)
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(tar.extractfile(member).read())


def main():
    for name, version, expected, mapping in ASSETS:
        stamp = VENDOR / f".{name}-{version}"
        if stamp.exists():
            continue
        try:
            tarball = npm_tarball(name, version, expected)
        except (FileNotFoundError, RuntimeError, subprocess.CalledProcessError) as error:
            sys.exit(f"vendor_assets: {error}")
        unpack(tarball, mapping)
        stamp.write_text(expected + "\n")
        print(f"vendor_assets: {name}@{version} -> {VENDOR.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
