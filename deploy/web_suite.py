"""The dashboard's test suite for ``deploy/run_tests.py``: vitest, then Playwright on the stack.

1. ``npm ci`` when the lockfile changed, then ``npm test`` (vitest unit tests).
2. The production build (``webapp.build_web``, cached by a hash of the sources).
3. Debian's Chromium (``apt-get install -y chromium`` when ``/usr/bin/chromium`` is
   missing; Playwright never downloads a browser), the stack (``stack.py up`` when the
   gateway is not answering, stopped afterwards only if this started it), then
   ``npx playwright test``.

Both runners write JUnit XML; :func:`run` returns their counts added up, the form
``run_tests.py`` sums.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

from webapp import WEB, WebBuildError, build_web, install, npm_env

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
GATEWAY = os.environ.get("ADSCALE_GATEWAY_URL", "http://127.0.0.1:8107")


def counts(report: Path) -> dict[str, int]:
    found = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    if not report.exists():
        return found
    root = ET.parse(report).getroot()  # noqa: S314 - our own junit file
    suites = [root] if root.tag == "testsuite" else list(root)
    for s in suites:
        tests, failures = int(s.get("tests", 0)), int(s.get("failures", 0))
        errors, skipped = int(s.get("errors", 0)), int(s.get("skipped", 0))
        found["failed"] += failures
        found["errors"] += errors
        found["skipped"] += skipped
        found["passed"] += tests - failures - errors - skipped
    return found


def ensure_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    print("installing Debian's chromium for the browser tests", flush=True)
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "apt-get"]
    subprocess.call([*apt, "update", "-qq"])  # noqa: S603
    code = subprocess.call([*apt, "install", "-y", "-qq", "chromium"])  # noqa: S603
    if code != 0 or not Path(CHROMIUM).exists():
        raise WebBuildError("chromium could not be installed (apt-get install -y chromium)")


def healthy() -> bool:
    try:
        with urllib.request.urlopen(f"{GATEWAY}/api/v1/health", timeout=3) as r:  # noqa: S310
            return bool(r.status == 200)
    except OSError:
        return False


def _npx(argv: list[str], env: dict[str, str]) -> int:
    return subprocess.call(argv, cwd=WEB, env=env)  # noqa: S603


def run(env: dict[str, str], tmp: Path, patterns: list[str]) -> tuple[dict[str, int], list[str]]:
    """Counts of both runners and the names of the runners that failed."""
    totals = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    bad: list[str] = []
    env = {**npm_env(), **env, "CI": env.get("CI", "1")}
    try:
        install()
    except WebBuildError as exc:
        print(str(exc), flush=True)
        return {**totals, "errors": 1}, ["web (npm ci)"]

    unit = tmp / "web_vitest.xml"
    code = _npx(
        [
            "npx",
            "vitest",
            "run",
            "--reporter=default",
            "--reporter=junit",
            f"--outputFile.junit={unit}",
        ],
        env,
    )
    for key, value in counts(unit).items():
        totals[key] += value
    if code != 0:
        bad.append(f"web vitest (exit {code})")

    started = False
    try:
        build_web()
        ensure_chromium()
        if not healthy():
            started = True
            if subprocess.call([sys.executable, str(ROOT / "deploy" / "stack.py"), "up"]) != 0:  # noqa: S603
                raise WebBuildError("the stack did not start (see .adscale/logs)")
        browser = tmp / "web_playwright.xml"
        code = _npx(
            ["npx", "playwright", "test", "--reporter=line,junit", *patterns],
            {**env, "PLAYWRIGHT_JUNIT_OUTPUT_NAME": str(browser)},
        )
        for key, value in counts(browser).items():
            totals[key] += value
        if code != 0:
            bad.append(f"web playwright (exit {code})")
    except WebBuildError as exc:
        print(str(exc), flush=True)
        totals["errors"] += 1
        bad.append("web (build or stack)")
    finally:
        if started and not os.environ.get("ADSCALE_KEEP_STACK"):
            subprocess.call([sys.executable, str(ROOT / "deploy" / "stack.py"), "down"])  # noqa: S603
    return totals, bad
