"""Settings: argon2id never weaker than OWASP; secrets never in repr."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from identity.security import Passwords
from identity.settings import Settings


def test_defaults_are_at_least_owasp():
    settings = Settings(database_url="postgresql://x/y")
    assert settings.password_memory_cost_kib >= 19456
    assert settings.password_time_cost >= 2
    assert settings.access_token_ttl_seconds == 900
    assert settings.refresh_token_ttl_days == 30
    assert settings.reset_token_ttl_seconds == 3600


@pytest.mark.parametrize(("memory", "iterations"), [(19455, 2), (19456, 1), (4096, 4)])
def test_weaker_argon2_parameters_are_refused(memory: int, iterations: int):
    with pytest.raises(ValidationError):
        Settings(password_memory_cost_kib=memory, password_time_cost=iterations)


def test_secrets_stay_out_of_repr():
    settings = Settings(jwt_signing_key="sekrit-key", api_key_hmac_secret="sekrit-hmac")
    assert "sekrit" not in repr(settings)


async def test_password_hash_is_argon2id_and_salted():
    passwords = Passwords(time_cost=2, memory_cost_kib=19456, parallelism=1)
    first, second = await passwords.hash("same password"), await passwords.hash("same password")
    assert first.startswith("$argon2id$") and first != second
    assert await passwords.verify(first, "same password")
    assert not await passwords.verify(first, "other password")
    assert not await passwords.verify("garbage", "same password")
    assert not await passwords.verify(None, "same password")
    assert passwords.needs_rehash("garbage")


def test_missing_secrets_stop_the_service(make_settings):  # type: ignore[no-untyped-def]
    from identity.dependencies import Security
    from identity.security import KeyConfigurationError

    Security.from_settings(make_settings())
    for overrides in (
        {"jwt_signing_key": ""},
        {"api_key_hmac_secret": ""},
        {"reset_token_secret": "short"},
    ):
        with pytest.raises(KeyConfigurationError):
            Security.from_settings(make_settings(**overrides))
