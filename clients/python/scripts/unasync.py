"""Write the sync client from the async one (the technique httpcore calls unasync).

    uv run python clients/python/scripts/unasync.py          # rewrite the _sync_* files
    uv run python clients/python/scripts/unasync.py --check  # exit 1 when they are stale

One source of truth: ``_async_client.py``, ``_async_resources.py`` and ``_async_transport.py``
are edited by hand;
their ``_sync_`` twins are this script's output (then formatted with ruff).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
SOURCE = PACKAGE / "src" / "adscale"
ROOT = PACKAGE.parents[1]
FILES = {
    "_async_client.py": "_sync_client.py",
    "_async_resources.py": "_sync_resources.py",
    "_async_transport.py": "_sync_transport.py",
}
RULES = [
    (
        r"is generated from this file by ``scripts/unasync.py``: edit this one\.",
        "is generated: edit its async twin and run ``scripts/unasync.py``.",
    ),
    (r"``_sync_client\.py``", "This file"),
    (r"``_sync_resources\.py``", "This file"),
    (r"``_sync_transport\.py``", "This file"),
    (r"\bAsyncTransport\b", "Transport"),
    (r"\bThe async client\b", "The sync client"),
    (r"\bon the async client\b", "on the sync client"),
    (r"_async_", "_sync_"),
    (r"\bAsyncClient\b", "Client"),
    (r"\bAsyncRetrying\b", "Retrying"),
    (r"\bAsyncIterator\b", "Iterator"),
    (r"\basync (def|for|with) ", r"\1 "),
    (r"\bawait ", ""),
    (r"__aenter__", "__enter__"),
    (r"__aexit__", "__exit__"),
    (r"\baclose\b", "close"),
    (r"\baiter_bytes\b", "iter_bytes"),
    (r"\baread\b", "read"),
    (r"\basyncio\.sleep\b", "time.sleep"),
    (r"^import asyncio\n", ""),
    (r"for (\w+) in (.+):\n\s+yield \1\n", r"yield from \2\n"),
]


def unasync(text: str) -> str:
    for pattern, replacement in RULES:
        text = re.sub(pattern, replacement, text, flags=re.MULTILINE)
    return text


def rendered() -> dict[str, str]:
    out = {}
    config = str(ROOT / "pyproject.toml")
    # Formatted beside the sources, so ruff sorts ``adscale`` imports as first-party.
    with tempfile.TemporaryDirectory(dir=SOURCE, prefix=".unasync-") as tmp:
        for source, target in FILES.items():
            path = Path(tmp) / target
            path.write_text(unasync((SOURCE / source).read_text()))
            ruff = [sys.executable, "-m", "ruff"]
            for step in (["check", "--fix", "-q"], ["format", "-q"]):
                subprocess.run([*ruff, *step, "--config", config, str(path)], check=False)  # noqa: S603
            out[target] = path.read_text()
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    stale = []
    for target, text in rendered().items():
        current = (SOURCE / target).read_text() if (SOURCE / target).exists() else ""
        if current != text:
            stale.append(target)
        if not args.check:
            (SOURCE / target).write_text(text)
    if args.check and stale:
        print("stale: " + ", ".join(stale) + " (run clients/python/scripts/unasync.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
