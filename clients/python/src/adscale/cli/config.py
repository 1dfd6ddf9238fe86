"""Profiles and where their credentials live.

Settings of each profile (base URL, email) are in ``config.json`` under
``$ADSCALE_CONFIG_DIR`` (default ``$XDG_CONFIG_HOME/adscale`` or ``~/.config/adscale``).
Tokens go to the OS keyring (service ``adscale``, one entry per profile) when one is
available; without one they are kept in the same file, which is always mode 0600 in a
0700 folder. ``PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring`` forces the file.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KEYRING_SERVICE = "adscale"
SECRET_KEYS = ("access_token", "refresh_token", "api_key")


def config_dir() -> Path:
    explicit = os.environ.get("ADSCALE_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "adscale"


def _keyring() -> Any | None:
    """The keyring module when a real backend answers, else None."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return keyring


@dataclass
class Store:
    path: Path = field(default_factory=lambda: config_dir() / "config.json")

    def _read(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {"profiles": {}}
        data.setdefault("profiles", {})
        return data

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(OSError):
            self.path.parent.chmod(0o700)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(data, out, indent=2, sort_keys=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    @property
    def uses_keyring(self) -> bool:
        return _keyring() is not None

    def profile(self, name: str) -> dict[str, Any]:
        """The profile's settings and secrets (from the keyring or the file)."""
        settings = dict(self._read()["profiles"].get(name, {}))
        ring = _keyring()
        if ring is not None:
            stored = ring.get_password(KEYRING_SERVICE, name)
            if stored:
                settings.update(json.loads(stored))
        return settings

    def save(self, name: str, **values: Any) -> str:
        """Merge ``values`` into the profile; returns where the secrets went."""
        data = self._read()
        current = dict(data["profiles"].get(name, {}))
        secrets = {k: values.pop(k) for k in SECRET_KEYS if k in values}
        current.update({k: v for k, v in values.items() if v is not None})
        ring = _keyring()
        where = str(self.path)
        if secrets and ring is not None:
            stored = ring.get_password(KEYRING_SERVICE, name)
            merged = {**(json.loads(stored) if stored else {}), **secrets}
            ring.set_password(KEYRING_SERVICE, name, json.dumps(merged))
            where = "the OS keyring"
            for key in SECRET_KEYS:
                current.pop(key, None)
        else:
            current.update(secrets)
        data["profiles"][name] = current
        self._write(data)
        return where

    def forget(self, name: str) -> bool:
        """Drop the profile's secrets (keyring and file); True when there were any."""
        had = False
        ring = _keyring()
        if ring is not None and ring.get_password(KEYRING_SERVICE, name):
            ring.delete_password(KEYRING_SERVICE, name)
            had = True
        data = self._read()
        profile = data["profiles"].get(name, {})
        for key in SECRET_KEYS:
            had = profile.pop(key, None) is not None or had
        if self.path.exists():
            self._write(data)
        return had
