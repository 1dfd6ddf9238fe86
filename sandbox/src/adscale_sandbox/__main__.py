"""``python -m adscale_sandbox``: serve the sandbox with uvicorn."""

from __future__ import annotations

import uvicorn

from adscale_sandbox.main import SERVER_OPTIONS, create_app
from adscale_sandbox.settings import Settings


def main() -> None:
    settings = Settings()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        **SERVER_OPTIONS,
    )


if __name__ == "__main__":
    main()
