"""The page renderer: one Jinja2 environment, the user's language (Chinese first, an English switch) and menus."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from apprights.knowledge.legal import PROBLEM_TYPES
from apprights.service.cases.lifecycle import LABELS
from apprights.service.deps import ROLE_LABELS, Principal, Role

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
LANG_COOKIE = "apprights_lang"
LANGS = ("zh", "en")

ALL = tuple(Role)
STAFF = (Role.MINISTRY, Role.PROVINCE)


@dataclass(frozen=True)
class MenuItem:
    href: str
    zh: str
    en: str
    roles: tuple[Role, ...]


# What each role may open; every page route checks the same roles (tests/web/test_menus.py holds them together).
MENU: tuple[MenuItem, ...] = (
    MenuItem("/", "工作台", "Dashboard", (*STAFF, Role.AGENCY, Role.ENTERPRISE, Role.STORE)),
    MenuItem("/findings", "问题审核", "Findings review", STAFF),
    MenuItem("/cases", "案件", "Cases", (*STAFF, Role.ENTERPRISE)),
    MenuItem("/apps", "应用", "Apps", (*STAFF, Role.ENTERPRISE)),
    MenuItem("/my-notices", "整改通知", "My notices", (Role.ENTERPRISE,)),
    MenuItem("/uploads", "检测结果上传", "Uploads", (Role.AGENCY, Role.MINISTRY)),
    MenuItem("/campaigns", "专项行动", "Campaigns", (*STAFF, Role.AGENCY)),
    MenuItem("/notices", "通知通报", "Notices", (Role.MINISTRY,)),
    MenuItem("/leads", "线索", "Leads", STAFF),
    MenuItem("/complaints", "投诉", "Complaints", STAFF),
    MenuItem("/removal-orders", "下架通知", "Removal orders", (Role.MINISTRY, Role.STORE)),
    MenuItem("/stores/platform", "平台问题", "Platform cases", (Role.MINISTRY, Role.STORE)),
    MenuItem("/stores/stats", "应用商店统计", "Store statistics", STAFF),
    MenuItem("/stores/ranking", "平台排名", "Store ranking", (Role.STORE,)),
    MenuItem("/self-checks", "企业自查", "Self-checks", (Role.MINISTRY, Role.ENTERPRISE)),
    MenuItem("/users", "用户管理", "Users", (Role.MINISTRY,)),
    MenuItem("/public/notices", "通报公告", "Public notices", ALL),
    MenuItem("/public/complaint", "12321投诉", "12321 complaint", (Role.PUBLIC,)),
)


def menu_for(p: Principal | None) -> list[MenuItem]:
    role = p.role if p is not None else Role.PUBLIC
    return [m for m in MENU if role in m.roles]


def lang_of(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, "zh")
    return lang if lang in LANGS else "zh"


@jinja2.pass_context
def _t(ctx: jinja2.runtime.Context, zh: str, en: str) -> Markup:
    """Chinese first with the English in small print; English only when the user switched to English."""
    if ctx.get("lang") == "en":
        return escape(en)
    return Markup('{} <span class="en">{}</span>').format(zh, en)


@jinja2.pass_context
def _in_lang(ctx: jinja2.runtime.Context, message: str) -> str:
    """A service message written "中文 / English": the English half for an English reader."""
    if ctx.get("lang") == "en" and " / " in message:
        return message.split(" / ", 1)[1]
    return message


def make_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.globals["PROBLEM_TYPES"] = PROBLEM_TYPES
    env.globals["STATE_LABELS"] = {str(k): v for k, v in LABELS.items()}
    env.globals["ROLE_LABELS"] = {str(k): v for k, v in ROLE_LABELS.items()}
    env.globals["t"] = _t
    env.filters["in_lang"] = _in_lang
    return env


class Pages:
    """Renders a template for a request: the caller's menu and language are always in the context."""

    def __init__(self) -> None:
        self.env = make_env()

    def render(
        self, request: Request, name: str, p: Principal | None, status: int = 200, **ctx: Any
    ) -> HTMLResponse:
        html = self.env.get_template(name).render(
            request=request,
            me=p,
            title=request.app.state.settings.title,
            menu=menu_for(p),
            lang=lang_of(request),
            path=request.url.path,
            **ctx,
        )
        return HTMLResponse(html, status_code=status)
