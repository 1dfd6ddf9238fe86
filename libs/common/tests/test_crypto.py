"""Secrets at rest: Fernet keys in rotation, and values no configured key opens."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr

from adscale_common.crypto import TokenCipher, cipher_from_keys


def test_the_first_key_encrypts_every_key_decrypts_and_rotation_moves_to_the_first() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = TokenCipher(old)
    stored = before.encrypt("token")
    after = TokenCipher(f"{new},{old}")
    assert after.decrypt(stored) == "token"
    assert not after.is_current(stored)
    rotated = after.rotate(stored)
    assert after.is_current(rotated) and TokenCipher(new).decrypt(rotated) == "token"


def test_a_value_no_configured_key_opens() -> None:
    stored = TokenCipher(Fernet.generate_key().decode()).encrypt("elsewhere")
    cipher = TokenCipher(Fernet.generate_key().decode())
    assert cipher.decrypt_or_none(stored) is None
    assert cipher.rotate_or_none(stored) is None
    assert not cipher.is_current(stored)
    with pytest.raises(InvalidToken):
        cipher.decrypt(stored)


def test_no_key_is_a_clear_configuration_error() -> None:
    with pytest.raises(ValueError, match="AUDIENCE_SYNC_ENCRYPTION_KEYS is empty"):
        TokenCipher(" , ", setting="AUDIENCE_SYNC_ENCRYPTION_KEYS")


def test_a_services_cipher_comes_from_its_keys_setting_or_is_none_while_unset() -> None:
    key = Fernet.generate_key().decode()
    for keys in (SecretStr(f" {key} "), key):
        cipher = cipher_from_keys(keys, setting="SVC_ENCRYPTION_KEYS")
        assert cipher is not None and TokenCipher(key).decrypt(cipher.encrypt("t")) == "t"
    assert cipher_from_keys(SecretStr(""), setting="SVC_ENCRYPTION_KEYS") is None
    with pytest.raises(ValueError, match="SVC_ENCRYPTION_KEYS is empty"):
        cipher_from_keys(" , ", setting="SVC_ENCRYPTION_KEYS")  # set, but to no key
