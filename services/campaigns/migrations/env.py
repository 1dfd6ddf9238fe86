from adscale_common.migrations import run_migrations
from campaigns.models import metadata
from campaigns.settings import get_settings

run_migrations(metadata, get_settings().database_url)
