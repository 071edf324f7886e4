"""``apprights db rotate-key`` re-encrypts complainants' contact data with a new key (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import typer
from cryptography.fernet import Fernet, InvalidToken
from typer.testing import CliRunner

from apprights.cli.service_cmds import db_app
from apprights.service.complaints.models import Complaint
from apprights.service.db import make_engine, make_sessionmaker
from apprights.service.keys import default_key_path, rotate
from apprights.service.settings import Settings
from tests.service.conftest import World

runner = CliRunner()
CONTACT = {"name": "李四", "phone": "13900000000", "email": "li@example.cn"}


def _complaint(w: World) -> int:
    body = {
        "app_name": "示例商城",
        "package": "com.example.shop",
        "problem_type": 1,
        "description": "未经同意收集手机号",
        "contact": CONTACT,
    }
    r = w.client.post("/api/v1/complaints", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_rotate_reencrypts_every_row(world: World) -> None:
    w = world
    cid = _complaint(w)
    old = w.settings.fernet_key()
    new = Fernet.generate_key()
    with w.client.app.state.sessionmaker() as s:
        assert rotate(s, old, new) == 1
        s.commit()
        token = s.get(Complaint, cid).contact_ciphertext  # type: ignore[union-attr]
    assert "13900000000" in Fernet(new).decrypt(token.encode()).decode()
    with pytest.raises(InvalidToken):
        Fernet(old).decrypt(token.encode())
    # a key that cannot open the rows stops the rotation, nothing changes
    with w.client.app.state.sessionmaker() as s:
        with pytest.raises(Exception, match="cannot decrypt"):
            rotate(s, Fernet.generate_key(), Fernet.generate_key())
        s.rollback()
        assert s.get(Complaint, cid).contact_ciphertext == token  # type: ignore[union-attr]


def test_rotate_key_command(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    data = tmp_path / "cli-data"
    monkeypatch.setenv("APPRIGHTS_DATA_DIR", str(data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("APPRIGHTS_SECRET_KEY", raising=False)
    monkeypatch.delenv("APPRIGHTS_KEY_FILE", raising=False)
    settings = Settings.from_env(db_url=w.settings.db_url)
    key_file = default_key_path(data, os.environ)
    assert settings.key_file == key_file
    # the row is written with this instance's key (as the service started from the CLI would)
    cid = _complaint(w)
    engine = make_engine(w.settings.db_url)
    with make_sessionmaker(engine)() as s:
        rotate(s, w.settings.fernet_key(), settings.fernet_key())
        s.commit()
    cli = typer.Typer()
    cli.add_typer(db_app, name="db")
    r = runner.invoke(cli, ["db", "rotate-key", "--db", w.settings.db_url])
    assert r.exit_code == 0, r.output
    assert "re-encrypted 1 complaint(s)" in r.output
    new_settings = Settings.from_env(db_url=w.settings.db_url)
    assert new_settings.secret_key != settings.secret_key
    retired = [p for p in key_file.parent.iterdir() if ".retired-" in p.name]
    assert len(retired) == 1 and retired[0].read_text().strip() == settings.secret_key
    with make_sessionmaker(engine)() as s:
        token = s.get(Complaint, cid).contact_ciphertext  # type: ignore[union-attr]
    engine.dispose()
    assert "李四" in Fernet(new_settings.fernet_key()).decrypt(token.encode()).decode()
    # with the key in the environment there is no file to rotate: a clear error, exit 2
    monkeypatch.setenv("APPRIGHTS_SECRET_KEY", "from the environment")
    r = runner.invoke(cli, ["db", "rotate-key", "--db", w.settings.db_url])
    assert r.exit_code == 2 and "APPRIGHTS_SECRET_KEY" in r.output
