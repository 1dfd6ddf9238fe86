"""``python -m adscale``: the CLI."""

from adscale.cli.main import run

run()
