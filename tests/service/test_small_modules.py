"""Small service modules tested directly (no HTTP): security, time, request bodies, provinces, stored files,
row-level scope, document tables, and the create/register functions of the area services."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.service.cases.flows import Actor
from apprights.service.db import make_engine, make_sessionmaker, upgrade

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
FUJIAN_USCC = "91350100M000100Y43"
BEIJING_USCC = "91110000802100433B"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("smalldb") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def session(template: Path, tmp_path: Path) -> Iterator[Session]:
    db = tmp_path / "db.sqlite3"
    db.write_bytes(template.read_bytes())
    engine = make_engine(f"sqlite:///{db}")
    factory = make_sessionmaker(engine)
    with factory() as s:
        yield s
    engine.dispose()


# -- security -----------------------------------------------------------------------------------------------
def test_passwords_tokens_and_pi_cipher() -> None:
    from cryptography.fernet import Fernet

    from apprights.service.security import PiCipher, hash_password, new_token, token_hash, verify_password

    h = hash_password("correct horse battery")
    assert h.startswith("scrypt$") and h != hash_password("correct horse battery")  # salted
    assert verify_password("correct horse battery", h) and not verify_password("wrong", h)
    for garbage in ("", "scrypt$x", "bcrypt$1$2$3$4$5", "scrypt$16384$8$1$!!$!!"):
        assert verify_password("x", garbage) is False
    a, b = new_token(), new_token()
    assert a.startswith("apr_") and a != b and len(token_hash(a)) == 64 and token_hash(a) == token_hash(a)
    c = PiCipher(Fernet.generate_key())
    secret = c.encrypt("张三 13800000000")
    assert "张三" not in secret and c.decrypt(secret) == "张三 13800000000"
    assert c.decrypt(secret[:-4] + "AAAA") == "" and PiCipher(Fernet.generate_key()).decrypt(secret) == ""


# -- time ---------------------------------------------------------------------------------------------------
def test_beijing_dates() -> None:
    from apprights.service.timeutil import beijing_date, beijing_midnight_utc

    assert beijing_date(datetime(2026, 11, 27, 16, 30, tzinfo=UTC)) == date(2026, 11, 28)
    assert beijing_date(datetime(2026, 11, 27, 15, 59)) == date(2026, 11, 27)  # naive = UTC
    assert beijing_midnight_utc(date(2026, 11, 28)) == datetime(2026, 11, 27, 16, 0)


# -- request bodies -----------------------------------------------------------------------------------------
def test_in_model_drops_nul_everywhere() -> None:
    from apprights.service.inputs import InModel

    class Body(InModel):
        name: str
        tags: list[str]
        extra: dict[str, str]

    b = Body.model_validate({"name": "a\x00b", "tags": ["\x00x"], "extra": {"k": "v\x00"}})
    assert (b.name, b.tags, b.extra) == ("ab", ["x"], {"k": "v"})


# -- provinces ----------------------------------------------------------------------------------------------
def test_provinces() -> None:
    from apprights.service.orgs.provinces import PROVINCES, administration_name

    codes = [c for c, _, _ in PROVINCES]
    assert len(PROVINCES) == 31 == len(set(codes)) and all(len(c) == 2 and c.isdigit() for c in codes)
    assert administration_name("北京市") == "北京市通信管理局"


# -- stored files -------------------------------------------------------------------------------------------
def test_store_file_dedupes_sanitises_and_checks(session: Session, tmp_path: Path) -> None:
    from apprights.service.files import blob_path, read_file, store_file

    kw = {"owner_kind": "lead", "owner_id": 1, "content_type": "", "now": NOW, "max_bytes": 100}
    a = store_file(session, tmp_path, filename="../../etc/passwd", content=b"evidence", **kw)  # type: ignore[arg-type]
    b = store_file(session, tmp_path, filename="C:\\x\\证据 1.png", content=b"evidence", **kw)  # type: ignore[arg-type]
    assert a.filename == "passwd" and b.filename == "证据 1.png" and a.sha256 == b.sha256
    assert a.content_type == "application/octet-stream"
    assert len(list((tmp_path / "files").rglob("*"))) == 2  # one directory, one blob
    assert read_file(tmp_path, a) == b"evidence"
    blob_path(tmp_path, a.sha256).write_bytes(b"tampered")
    with pytest.raises(InputError, match="sha256"):
        read_file(tmp_path, a)
    with pytest.raises(InputError, match="larger than 100"):
        store_file(session, tmp_path, filename="big", content=b"x" * 101, **kw)  # type: ignore[arg-type]


# -- orgs / apps / users services and the row-level scope -------------------------------------------------------
REGULATOR = Actor("ministry:admin")  # registering and binding apps is a regulator's decision here


def _world(session: Session) -> dict[str, int]:
    from apprights.service.apps.schemas import AppIn
    from apprights.service.apps.service import register_app
    from apprights.service.orgs.schemas import EnterpriseIn
    from apprights.service.orgs.service import create_enterprise

    fj = create_enterprise(session, EnterpriseIn(name="福州示例", uscc=FUJIAN_USCC, province_code="35"), NOW)
    bj = create_enterprise(session, EnterpriseIn(name="北京示例", uscc=BEIJING_USCC, province_code="11"), NOW)
    a1 = register_app(session, AppIn(package="com.example.fj", name="闽应用", enterprise_id=fj.id), NOW, REGULATOR)
    a2 = register_app(session, AppIn(package="com.example.bj", name="京应用", enterprise_id=bj.id), NOW, REGULATOR)
    return {"fj": fj.id, "bj": bj.id, "a1": a1.id, "a2": a2.id}


def test_orgs_and_apps_services(session: Session) -> None:
    from apprights.service.apps.schemas import AppIn
    from apprights.service.apps.service import register_app
    from apprights.service.orgs.schemas import AgencyIn, EnterpriseIn
    from apprights.service.orgs.service import create_agency, create_enterprise

    ids = _world(session)
    with pytest.raises(InputError, match="already registered"):
        create_enterprise(session, EnterpriseIn(name="重复", uscc=FUJIAN_USCC, province_code="35"), NOW)
    with pytest.raises(InputError, match="unknown province"):
        create_enterprise(session, EnterpriseIn(name="x", uscc="91440300MA5EXAMPLA", province_code="99"), NOW)
    assert create_agency(session, AgencyIn(code="caict", name="中国信通院")).id
    with pytest.raises(InputError, match="exists"):
        create_agency(session, AgencyIn(code="caict", name="again"))
    # first seen in a scan (no enterprise), then bound; another enterprise cannot take it
    seen = register_app(session, AppIn(package="com.example.seen"), NOW, REGULATOR)
    assert seen.enterprise_id is None
    bound = register_app(
        session, AppIn(package="com.example.seen", name="新名", enterprise_id=ids["fj"]), NOW, REGULATOR
    )
    assert bound.id == seen.id and bound.enterprise_id == ids["fj"] and bound.name == "新名"
    with pytest.raises(InputError, match="another enterprise"):
        register_app(session, AppIn(package="com.example.seen", enterprise_id=ids["bj"]), NOW, REGULATOR)
    with pytest.raises(InputError, match="unknown enterprise"):
        register_app(session, AppIn(package="com.example.none", enterprise_id=999), NOW, REGULATOR)


def test_users_service(session: Session) -> None:
    from apprights.service.deps import Role
    from apprights.service.users.schemas import UserIn
    from apprights.service.users.service import create_user

    ids = _world(session)
    u = create_user(session, UserIn(username="fj", role=Role.PROVINCE, province_code="35"), NOW)
    assert u.province_code == "35" and u.enterprise_id is None and u.password_hash == ""
    with pytest.raises(InputError, match="exists"):
        create_user(session, UserIn(username="fj", role=Role.PROVINCE, province_code="35"), NOW)
    with pytest.raises(InputError, match="public role"):
        create_user(session, UserIn(username="p", role=Role.PUBLIC), NOW)
    with pytest.raises(InputError, match="needs"):
        create_user(session, UserIn(username="e", role=Role.ENTERPRISE), NOW)
    with pytest.raises(InputError, match="unknown"):
        create_user(session, UserIn(username="e", role=Role.ENTERPRISE, enterprise_id=ids["fj"] + 100), NOW)


def test_scope_filters_by_role(session: Session) -> None:
    from apprights.service.apps.models import App
    from apprights.service.deps import Principal, Role
    from apprights.service.orgs.models import Enterprise
    from apprights.service.scope import app_filter, may_see_app

    ids = _world(session)

    def visible(p: Principal) -> set[str]:
        return set(session.scalars(select(App.package).where(app_filter(p))))

    assert visible(Principal(Role.MINISTRY)) == {"com.example.fj", "com.example.bj"}
    assert visible(Principal(Role.PROVINCE, province_code="35")) == {"com.example.fj"}
    assert visible(Principal(Role.ENTERPRISE, enterprise_id=ids["bj"])) == {"com.example.bj"}
    assert visible(Principal(Role.PUBLIC)) == set()
    app = session.get(App, ids["a1"])
    ent = session.get(Enterprise, ids["fj"])
    assert app is not None
    assert may_see_app(Principal(Role.PROVINCE, province_code="35"), app, ent)
    assert not may_see_app(Principal(Role.PROVINCE, province_code="11"), app, ent)
    assert not may_see_app(Principal(Role.ENTERPRISE, enterprise_id=ids["bj"]), app, ent)


# -- leads / complaints helpers -------------------------------------------------------------------------------
def test_lead_periods_and_complaint_groups() -> None:
    from apprights.service.complaints.service import group_key
    from apprights.service.leads.service import cutoff, period_of

    assert period_of(datetime(2026, 11, 30, 17, 0, tzinfo=UTC)) == "2026-12"  # already December in Beijing
    assert cutoff("2026-12") == datetime(2026, 12, 14, 16, 0)
    assert group_key(" com.a.b ", "x") == "com.a.b"
    assert group_key("", "My  App ") == group_key("", "myapp") == "name:myapp"


# -- document tables ----------------------------------------------------------------------------------------
def test_document_tables() -> None:
    from apprights.service.documents.models import (
        NoticeProblem,
        PublicNotice,
        PublicNoticeRow,
        RectificationNotice,
        RemovalOrder,
        RemovalRow,
        public_notice_table,
        rectification_problem_table,
        removal_table,
        zh_date,
    )

    assert zh_date(date(2026, 1, 5)) == "2026年1月5日"
    rows = [
        PublicNoticeRow("甲", "甲公司", "华为", "1.0", ["违规收集个人信息"]),
        PublicNoticeRow("乙", "乙公司", "小米", "2.0", ["强制授权"]),
        PublicNoticeRow("甲", "甲公司", "华为", "1.0", ["违规收集个人信息", "超范围收集"]),
    ]
    table = public_notice_table(PublicNotice("通报", "2026年第1批", date(2026, 11, 28), "", rows))
    assert table == [
        ("1", "甲", "甲公司", "华为", "1.0", "违规收集个人信息、超范围收集"),
        ("2", "乙", "乙公司", "小米", "2.0", "强制授权"),
    ]
    assert removal_table(RemovalOrder("下架", date(2026, 11, 28), [RemovalRow("甲", "甲公司", "1.0")])) == [
        ("1", "甲", "甲公司", "1.0")
    ]
    notice = RectificationNotice(
        "N1", date(2026, 11, 28), date(2026, 12, 5), "甲公司", FUJIAN_USCC, "甲", "a.b", "1.0", "华为", "部",
        [NoticeProblem(1, "违规收集个人信息", "同意前收集IMEI", ["t=1.2 getDeviceId", "t=1.9 上传"])],
    )  # fmt: skip
    assert rectification_problem_table(notice) == [
        ("1", "违规收集个人信息（第1类）", "同意前收集IMEI", "t=1.2 getDeviceId\nt=1.9 上传")
    ]
