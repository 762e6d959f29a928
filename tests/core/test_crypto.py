from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from core.config import ConfigError, load_settings
from core.crypto import CredentialCipher, CredentialsUnreadable
from core.models import Account, Store

CREDENTIALS = {"access_token": "wish-access-7f3c9a", "refresh_token": "wish-refresh-e41b02"}


def test_round_trip() -> None:
    cipher = CredentialCipher([Fernet.generate_key().decode()])
    token = cipher.encrypt(CREDENTIALS)
    assert "wish-access" not in token
    assert cipher.decrypt(token) == CREDENTIALS


def test_key_rotation() -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    old = CredentialCipher([old_key])
    stored = old.encrypt(CREDENTIALS)

    rotating = CredentialCipher([new_key, old_key])
    assert rotating.decrypt(stored) == CREDENTIALS
    assert not rotating.is_current(stored)
    rotated = rotating.rotate(stored)
    assert rotating.is_current(rotated)

    new_only = CredentialCipher([new_key])
    assert new_only.decrypt(rotated) == CREDENTIALS
    assert new_only.decrypt(rotating.encrypt({"a": 1})) == {"a": 1}  # the first key encrypts
    with pytest.raises(CredentialsUnreadable, match="encryption key"):
        new_only.decrypt(stored)
    with pytest.raises(CredentialsUnreadable):
        old.decrypt(rotated)


def test_tampered_ciphertext_is_refused() -> None:
    cipher = CredentialCipher([Fernet.generate_key().decode()])
    token = cipher.encrypt(CREDENTIALS)
    tampered = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    with pytest.raises(CredentialsUnreadable):
        cipher.decrypt(tampered)


def test_bad_keys_are_configuration_errors_that_hide_the_key() -> None:
    good = Fernet.generate_key().decode()
    with pytest.raises(ConfigError, match="key #2 is not a valid Fernet key") as caught:
        CredentialCipher([good, "not-a-key-secret"])
    assert "not-a-key-secret" not in str(caught.value)
    with pytest.raises(ConfigError, match="no key"):
        CredentialCipher([" ", ""])


def test_keys_from_settings(tmp_path: Path) -> None:
    generated = load_settings(env={}, data_dir=tmp_path)
    token = CredentialCipher.from_settings(generated).encrypt(CREDENTIALS)
    # The generated key is kept in the data folder, so a restart can still decrypt.
    assert (
        CredentialCipher.from_settings(load_settings(env={}, data_dir=tmp_path)).decrypt(token)
        == CREDENTIALS
    )

    new_key = Fernet.generate_key().decode()
    old_key = (tmp_path / "encryption_key").read_text().strip()
    rotated = load_settings(
        env={"TRADEWIND_ENCRYPTION_KEY": f"{new_key}, {old_key}"}, data_dir=tmp_path / "other"
    )
    cipher = CredentialCipher.from_settings(rotated)
    assert cipher.decrypt(token) == CREDENTIALS
    assert CredentialCipher([new_key]).decrypt(cipher.encrypt(CREDENTIALS)) == CREDENTIALS


async def test_the_database_never_holds_the_plaintext(sessions, engine, database_url) -> None:
    cipher = CredentialCipher([Fernet.generate_key().decode()])
    async with sessions() as session:
        account = Account(name="seller")
        session.add(account)
        await session.flush()
        store = Store(
            account_id=account.id,
            platform="wish",
            platform_shop_id="merchant-visible-9d1",
            name="shop",
            credentials_encrypted=cipher.encrypt(CREDENTIALS),
        )
        session.add(store)
        await session.commit()

    async with engine.connect() as conn:
        row = (await conn.execute(text("SELECT * FROM store"))).one()
    stored = " ".join(str(value) for value in row)
    assert "merchant-visible-9d1" in stored
    for secret in CREDENTIALS.values():
        assert secret not in stored
    assert cipher.decrypt(row.credentials_encrypted) == CREDENTIALS

    if database_url.startswith("sqlite"):
        await engine.dispose()  # checkpoints the WAL into the file
        database = Path(database_url.split("///", 1)[1])
        raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
        assert b"merchant-visible-9d1" in raw  # the scan does see stored text
        for secret in CREDENTIALS.values():
            assert secret.encode() not in raw
