"""Helpers of the SDK/CLI tests: the CLI in-process with its own config, and the contract kits.

Import after ``sys.path.insert(0, str(Path(__file__).parent))`` (pytest runs with
``--import-mode=importlib``).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from adscale.cli.config import Store
from adscale.cli.main import app

ROOT = Path(__file__).resolve().parents[3]
CONTRACT = ROOT / "tests" / "contract"
sys.path.insert(1, str(CONTRACT))
import cdp_kit  # noqa: E402

import contract_kit as kit  # noqa: E402

API = "http://127.0.0.1:8107/api/v1"
NO_KEYRING = "keyring.backends.fail.Keyring"

__all__ = ["API", "Cli", "Run", "cdp_kit", "kit"]


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass
class Cli:
    """``adscale`` with its own config folder; ``cli("campaigns", "list")``."""

    config_dir: Path
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = {
            "ADSCALE_CONFIG_DIR": str(self.config_dir),
            "PYTHON_KEYRING_BACKEND": NO_KEYRING,
            "ADSCALE_BASE_URL": API,
            "ADSCALE_API_KEY": "",
            "ADSCALE_PROFILE": "",
            **self.env,
        }

    def __call__(self, *args: str, input: str | None = None, **env: str) -> Run:
        result = CliRunner().invoke(app, list(args), env={**self.env, **env}, input=input)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result.exit_code, result.stdout, result.stderr)

    def ok(self, *args: str, **env: str) -> Run:
        run = self(*args, **env)
        assert run.exit_code == 0, (args, run.stdout, run.stderr)
        return run

    def fails(self, exit_code: int, code: str, *args: str, **env: str) -> Run:
        """The command exits with ``exit_code`` and prints the API's ``code`` on stderr."""
        run = self(*args, **env)
        assert run.exit_code == exit_code, (args, run.exit_code, run.stdout, run.stderr)
        assert code in run.stderr, (args, run.stderr)
        return run

    def sign_in(self, member: kit.Member, profile: str = "default") -> None:
        """Store a member's token pair as `adscale login` would."""
        Store(self.config_dir / "config.json").save(
            profile,
            base_url=API,
            email=member.email,
            access_token=member.access_token,
            refresh_token=member.refresh_token,
        )
