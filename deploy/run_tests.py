"""Run every test suite against the provisioned servers and sum the results.

Each suite (a ``tests`` folder of a lib, a service, the sandbox, the deploy
scripts, ``tests/contract``, and last the short chaos run ``tests/chaos``) runs
in its own pytest process: services share table names, so each gets its own
interpreter and its own databases.
The closing line adds every suite up; the exit code is non-zero when any
suite failed or ran no test.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))

from stack import base_env  # noqa: E402

SUITES = [
    "libs/common/tests",
    "libs/contracts/tests",
    "libs/platforms/tests",
    "sandbox/tests",
    "services/gateway/tests",
    "services/identity/tests",
    "services/campaigns/tests",
    "services/audience-sync/tests",
    "services/billing/tests",
    "deploy/tests",
    "tests/contract",
    "clients/python/tests",
    "web",  # vitest + Playwright on the stack (deploy/web_suite.py)
    # Last: the short chaos run restarts Kafka and PostgreSQL and stops Redis (each
    # started again, even when the run fails), so it follows every suite that uses them.
    "tests/chaos",
]


def main() -> int:
    env = base_env()
    env.setdefault("ADSCALE_TEST_DATABASE_URL", env.get("ADSCALE_DATABASE_URL", ""))
    env.setdefault("ADSCALE_TEST_KAFKA", env.get("ADSCALE_KAFKA_BOOTSTRAP", ""))
    env.setdefault("ADSCALE_TEST_REDIS", env.get("ADSCALE_REDIS_URL", ""))
    env.setdefault("ADSCALE_TEST_STRIPE_API_BASE", env.get("ADSCALE_STRIPE_API_BASE", ""))
    selected = [
        s
        for s in SUITES
        if s == "web" or any((ROOT / s).glob("test_*.py")) or any((ROOT / s).glob("**/test_*.py"))
    ]
    # Arguments narrow the run: a suite folder (or a prefix of one), or paths / node ids
    # inside a suite (``tests/contract/test_x.py::test_y``), run in that suite's process.
    only = [a for a in sys.argv[1:] if not a.startswith("-")]
    targets: dict[str, list[str]] = {}
    if only:
        for arg in only:
            path = arg.split("::", 1)[0].rstrip("/")
            for suite in selected:
                if suite.startswith(path):
                    targets.setdefault(suite, [])
                elif path.startswith(suite + "/"):
                    targets.setdefault(suite, []).append(arg)
        selected = [s for s in selected if s in targets]
    totals = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    bad: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for suite in selected:
            report = Path(tmp) / (suite.replace("/", "_") + ".xml")
            print(f"\n===== {suite} =====", flush=True)
            if suite == "web":
                from web_suite import run as run_web

                found, failed_runners = run_web(env, Path(tmp), targets.get(suite) or [])
                for key, value in found.items():
                    totals[key] += value
                bad.extend(failed_runners)
                continue
            code = subprocess.call(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    *(targets.get(suite) or [suite]),
                    "-q",
                    f"--junitxml={report}",
                ],
                cwd=ROOT,
                env=env,
            )
            if report.exists():
                root = ET.parse(report).getroot()  # noqa: S314 - our own junit file
                suites = [root] if root.tag == "testsuite" else list(root)
                for s in suites:
                    tests = int(s.get("tests", 0))
                    failures = int(s.get("failures", 0))
                    errors = int(s.get("errors", 0))
                    skipped = int(s.get("skipped", 0))
                    totals["failed"] += failures
                    totals["errors"] += errors
                    totals["skipped"] += skipped
                    totals["passed"] += tests - failures - errors - skipped
            if code != 0:
                bad.append(f"{suite} (pytest exit {code})")
    print()
    if bad:
        print("failed suites: " + ", ".join(bad))
    failed = totals["failed"] + totals["errors"]
    print(f"total: {totals['passed']} passed, {failed} failed, {totals['skipped']} skipped")
    return 1 if bad or failed or totals["passed"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
