"""Encryption at rest of store credentials and carrier secrets (rule 3).

Values are JSON-serialised dicts encrypted with Fernet (AES-128-CBC + HMAC-SHA256). The key
setting ``encryption_key`` may hold several comma-separated Fernet keys to rotate them: the
first key encrypts, every key decrypts. To rotate, put a new key first, restart, run
:meth:`CredentialCipher.rotate` over the stored values (or let them be re-encrypted on their
next write), then drop the old key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core.config import ConfigError, Settings
from core.errors import TradewindError


class CredentialsUnreadable(TradewindError):
    """Stored credentials cannot be decrypted with any configured key (key lost or changed)."""


class CredentialCipher:
    """Encrypts and decrypts credential dicts with one or more Fernet keys.

    Args:
        keys: Fernet keys (URL-safe base64 of 32 bytes), primary first.

    Raises:
        ConfigError: no key, or a key that is not a valid Fernet key (the message says
            which one by position, never its value).
    """

    def __init__(self, keys: Sequence[str]) -> None:
        cleaned = [key.strip() for key in keys if key.strip()]
        if not cleaned:
            raise ConfigError("setting 'encryption_key': no key given")
        fernets = []
        for position, key in enumerate(cleaned, start=1):
            try:
                fernets.append(Fernet(key.encode()))
            except (ValueError, TypeError):
                raise ConfigError(
                    f"setting 'encryption_key': key #{position} is not a valid Fernet key "
                    "(32 url-safe base64-encoded bytes)"
                ) from None
        self._fernet = MultiFernet(fernets)
        self._primary = fernets[0]

    @classmethod
    def from_settings(cls, settings: Settings) -> CredentialCipher:
        """The cipher for a deployment: ``encryption_key`` split on commas."""
        return cls(settings.secret("encryption_key").split(","))

    def encrypt(self, credentials: Mapping[str, Any]) -> str:
        """Encrypt a JSON-serialisable dict with the primary key; returns ASCII text."""
        plaintext = json.dumps(dict(credentials), separators=(",", ":"), sort_keys=True)
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> dict[str, Any]:
        """Decrypt a value made by :meth:`encrypt` with any configured key.

        Raises:
            CredentialsUnreadable: no configured key opens it, or it was tampered with.
        """
        try:
            plaintext = self._fernet.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            raise CredentialsUnreadable(
                "stored credentials cannot be decrypted with the configured encryption key(s); "
                "was 'encryption_key' changed without keeping the old key?"
            ) from None
        value = json.loads(plaintext)
        if not isinstance(value, dict):
            raise CredentialsUnreadable("stored credentials are not a JSON object")
        return value

    def rotate(self, token: str) -> str:
        """Re-encrypt ``token`` with the primary key (keeping its original timestamp)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise CredentialsUnreadable(
                "stored credentials cannot be decrypted with the configured encryption key(s)"
            ) from None

    def is_current(self, token: str) -> bool:
        """Whether ``token`` is already encrypted with the primary key."""
        try:
            self._primary.decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True
