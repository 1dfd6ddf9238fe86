from adscale_common.migrations import run_migrations
from audience_sync.models import metadata
from audience_sync.settings import get_settings

run_migrations(metadata, get_settings().database_url)
