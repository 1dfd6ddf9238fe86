from adscale_common.migrations import run_migrations
from identity.models import metadata
from identity.settings import get_settings

run_migrations(metadata, get_settings().database_url)
