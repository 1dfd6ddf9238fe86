"""Build the dashboard (``web/``) when its sources changed: ``npm ci`` + ``vite build``.

``make up`` calls :func:`build_web` before starting the gateway, which serves
``web/dist``. Two hashes keep a second run instant: the lockfile's (in
``web/node_modules/.adscale-lock``; ``npm ci`` only when it changed) and every
source file's (in ``web/dist/.build-hash``; the build only when it changed).
Standard library only.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
SOURCES = ("package.json", "package-lock.json", "index.html", "vite.config.ts", "tsconfig.json")
SOURCE_DIRS = ("src", "public")
LOCK_STAMP = WEB / "node_modules" / ".adscale-lock"
BUILD_STAMP = WEB / "dist" / ".build-hash"


class WebBuildError(RuntimeError):
    pass


def npm_env() -> dict[str, str]:
    # Browsers come from Debian's chromium package, never from a download at install time.
    return {**os.environ, "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(WEB)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def sources_hash() -> str:
    files = [WEB / name for name in SOURCES]
    for folder in SOURCE_DIRS:
        files += sorted(p for p in (WEB / folder).rglob("*") if p.is_file())
    return _digest([p for p in files if p.exists()])


def _run(argv: list[str]) -> None:
    code = subprocess.call(argv, cwd=WEB, env=npm_env())  # noqa: S603
    if code != 0:
        raise WebBuildError(f"{' '.join(argv)} failed with exit {code}")


def install() -> bool:
    """``npm ci`` when node_modules is missing or was installed from another lockfile."""
    if shutil.which("npm") is None:
        raise WebBuildError("npm is not installed: install Node.js 20.19+ to build web/")
    lock = _digest([WEB / "package-lock.json"])
    if LOCK_STAMP.exists() and LOCK_STAMP.read_text() == lock:
        return False
    _run(["npm", "ci", "--no-audit", "--no-fund"])
    LOCK_STAMP.write_text(lock)
    return True


def build_web(force: bool = False) -> bool:
    """Build web/dist unless it was built from these exact sources; True when it built."""
    install()
    wanted = sources_hash()
    if not force and BUILD_STAMP.exists() and BUILD_STAMP.read_text() == wanted:
        return False
    _run(["npm", "run", "build"])
    BUILD_STAMP.write_text(wanted)
    return True


def lint() -> None:
    """``make lint``'s part for web/: the type check (tsc --noEmit) and biome."""
    install()
    _run(["npm", "run", "--silent", "typecheck"])
    _run(["npm", "run", "--silent", "lint"])


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["lint"]:
        lint()
    else:
        print("web: built" if build_web() else "web: up to date")
