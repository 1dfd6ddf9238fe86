"""Issue 22: campaigns's consumer groups, started before their topics exist, handle the
events published afterwards (the worker's own specs and handlers, every event type they
take, from the contracts' samples)."""

from __future__ import annotations

import pytest

from adscale_contracts.testing_consumers import every_group_test
from campaigns.worker import consumer_specs

pytestmark = pytest.mark.kafka


test_every_consumer_group_handles_events_published_after_it_started = every_group_test(
    consumer_specs
)
