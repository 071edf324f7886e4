"""The key that encrypts complainants' personal data at rest: where it lives and how it is rotated.

Default location: ``$XDG_CONFIG_HOME/apprights/keys/<instance>.key`` (``~/.config/…``), one file per data
directory, mode 0600 in a 0700 directory: not beside the database, so a copy of the data directory (or of
its backup) does not carry the key that opens it. ``APPRIGHTS_KEY_FILE`` names another file (e.g. a mounted
secret); ``APPRIGHTS_SECRET_KEY`` gives the key itself. A key file left by earlier versions in
``DATA_DIR/secret.key`` is still read (with a warning) until it is moved or rotated.

``rotate`` re-encrypts every encrypted column with a new key in one transaction; ``apprights db rotate-key``
writes the new key file only after the database has committed, and keeps the old one beside it.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from datetime import datetime
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.service.complaints.models import Complaint

log = logging.getLogger(__name__)
LEGACY_NAME = "secret.key"


def config_home(env: dict[str, str] | os._Environ[str]) -> Path:
    return Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "apprights"


def default_key_path(data_dir: Path, env: dict[str, str] | os._Environ[str]) -> Path:
    """This instance's key file: under the user's config directory, named after the data directory."""
    instance = hashlib.sha256(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    return config_home(env) / "keys" / f"{instance}.key"


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def write_key(path: Path, key: str) -> None:
    """Write ``key`` to a new file ``path`` (mode 0600; its directory 0700); never overwrites."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")


def load_or_create(key_file: Path, data_dir: Path) -> str:
    """The key in ``key_file``, created on first start; a legacy ``DATA_DIR/secret.key`` is still honoured."""
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip()
    legacy = data_dir / LEGACY_NAME
    if legacy.exists():
        log.warning(
            "the encryption key is stored beside the database in %s: move it to %s (or run "
            "`apprights db rotate-key`) so that a copy of the data directory does not carry its key",
            legacy,
            key_file,
        )
        return legacy.read_text(encoding="ascii").strip()
    key = new_key()
    write_key(key_file, key)
    log.warning(
        "APPRIGHTS_SECRET_KEY is not set: generated a random key in %s (back it up separately from the "
        "database: without it complainants' contact data cannot be read)",
        key_file,
    )
    return key


def rotate(session: Session, old: bytes, new: bytes) -> int:
    """Re-encrypt every complainant's contact data from Fernet key ``old`` to ``new`` (the caller commits).
    A row the old key cannot open stops the rotation (``InputError``): nothing is half-rotated."""
    f_old, f_new = Fernet(old), Fernet(new)
    rows = session.scalars(select(Complaint).order_by(Complaint.id)).all()
    for c in rows:
        try:
            plain = f_old.decrypt(c.contact_ciphertext.encode("ascii"))
        except (InvalidToken, ValueError):
            raise InputError(
                f"complaint {c.id}",
                "旧密钥无法解密 / the current key cannot decrypt this row: rotation stopped",
            ) from None
        c.contact_ciphertext = f_new.encrypt(plain).decode("ascii")
    session.flush()
    return len(rows)


def retire_suffix(now: datetime) -> str:
    return f".retired-{now:%Y%m%dT%H%M%S}"
