"""The conformance suite: the platforms' own Python SDKs against the sandbox.

The SDKs (``google-ads-datamanager``, ``facebook-business``) use ``requests`` over a real
socket, so the in-process ASGI client of the other sandbox tests cannot serve them: each
test module gets the sandbox under uvicorn on a free port (see ``sdk_kit.serve``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for sdk_kit

from sdk_kit import Live, serve


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with serve(tmp_path_factory.mktemp("sandbox")) as running:
        yield running
