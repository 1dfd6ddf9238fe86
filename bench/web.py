"""Time to interactive of the dashboard's overview and campaigns pages on the running stack.

Runs ``npm run bench`` in web/ (Playwright on Debian's Chromium, see web/bench/) and
prints its figures: the median of several reloads of each page, goal <= 1 s.
Needs the stack (``make bench`` starts it) and ``npm ci`` done by ``make up``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "web"


def main() -> int:
    env = {**os.environ, "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}
    done = subprocess.run(
        ["npm", "run", "--silent", "bench"],
        cwd=WEB,
        env=env,
        capture_output=True,
        text=True,
    )
    figures = [line for line in done.stdout.splitlines() if line.startswith("web tti")]
    for line in figures:
        print(line)
    if done.returncode != 0 or not figures:
        print(done.stdout[-4000:], done.stderr[-2000:], sep="\n", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
