"""The app raises Python's young-generation GC threshold while it runs, and puts it back."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from adscale_sandbox.main import GC_OLDER_THRESHOLDS, create_app
from adscale_sandbox.settings import Settings


@pytest.mark.parametrize("young", [100_000, 0])
async def test_gc_threshold_while_the_app_runs(tmp_path: Path, young: int) -> None:
    before = gc.get_threshold()
    app = create_app(Settings(data_dir=tmp_path, gc_young_threshold=young))
    async with app.router.lifespan_context(app):
        running = gc.get_threshold()
    assert running == ((young, *GC_OLDER_THRESHOLDS) if young else before)
    assert gc.get_threshold() == before
