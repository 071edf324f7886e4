import os
import stat
from pathlib import Path

import pytest

from apprights.service.keys import default_key_path
from apprights.service.settings import Settings, secret_key_file


@pytest.fixture(autouse=True)
def _config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("APPRIGHTS_KEY_FILE", raising=False)


def test_random_key_file_is_created_once_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APPRIGHTS_SECRET_KEY", raising=False)
    data = tmp_path / "data"
    a = Settings.from_env(data_dir=data)
    b = Settings.from_env(data_dir=data)
    key_file = default_key_path(data, os.environ)
    assert a.key_file == key_file
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(key_file.parent).st_mode) == 0o700
    assert a.secret_key == b.secret_key == key_file.read_text().strip()
    # not beside the database: nothing key-like in the data directory
    assert key_file.parent.resolve() != data.resolve() and not (data / "secret.key").exists()
    assert tmp_path / "config" in key_file.parents
    # not derivable from the path: another instance with the same layout gets another key
    other = tmp_path / "other"
    assert secret_key_file(other) != a.secret_key
    assert a.fernet_key() != Settings(data_dir=data).fernet_key()


def test_key_file_location_can_be_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APPRIGHTS_SECRET_KEY", raising=False)
    monkeypatch.setenv("APPRIGHTS_KEY_FILE", str(tmp_path / "secrets" / "apprights.key"))
    s = Settings.from_env(data_dir=tmp_path / "data")
    assert s.key_file == tmp_path / "secrets" / "apprights.key"
    assert s.secret_key == (tmp_path / "secrets" / "apprights.key").read_text().strip()


def test_legacy_key_beside_the_database_is_still_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("APPRIGHTS_SECRET_KEY", raising=False)
    data = tmp_path / "data"
    data.mkdir()
    (data / "secret.key").write_text("legacy-key\n")
    s = Settings.from_env(data_dir=data)
    assert s.secret_key == "legacy-key" and s.key_file == data / "secret.key"
    assert not default_key_path(data, os.environ).exists()  # no second key is made


def test_environment_key_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPRIGHTS_SECRET_KEY", "a passphrase")
    s = Settings.from_env(data_dir=tmp_path)
    assert s.secret_key == "a passphrase" and s.key_file is None
    assert not (tmp_path / "secret.key").exists()
    assert not default_key_path(tmp_path, os.environ).exists()
