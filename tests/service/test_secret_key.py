import os
import stat
from pathlib import Path

import pytest

from apprights.service.settings import Settings, secret_key_file


def test_random_key_file_is_created_once_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APPRIGHTS_SECRET_KEY", raising=False)
    a = Settings.from_env(data_dir=tmp_path)
    b = Settings.from_env(data_dir=tmp_path)
    key_file = tmp_path / "secret.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert a.secret_key == b.secret_key == key_file.read_text().strip()
    # not derivable from the path: another instance with the same layout gets another key
    other = tmp_path / "other"
    assert secret_key_file(other) != a.secret_key
    assert a.fernet_key() != Settings(data_dir=tmp_path).fernet_key()


def test_environment_key_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPRIGHTS_SECRET_KEY", "a passphrase")
    assert Settings.from_env(data_dir=tmp_path).secret_key == "a passphrase"
    assert not (tmp_path / "secret.key").exists()
