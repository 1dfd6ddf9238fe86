from adscale_common.migrations import run_migrations
from billing.models import metadata
from billing.settings import get_settings

run_migrations(metadata, get_settings().database_url)
