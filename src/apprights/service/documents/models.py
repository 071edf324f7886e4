"""The regulator's documents as plain data: what the renderers need, nothing more."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class NoticeProblem:
    """One problem in a rectification notice: the 164 problem type and what was found."""

    problem_type: int  # 1..10, the ten problem types of 工信部信管函〔2020〕164号
    label_zh: str  # e.g. 违规收集个人信息
    title_zh: str  # the finding's title, e.g. 用户同意隐私政策前收集设备标识符(IMEI)
    evidence: list[str] = field(default_factory=list)


@dataclass
class RectificationNotice:
    """整改通知: sent to one enterprise about one app version on one store."""

    notice_no: str
    issued_on: date
    deadline: date
    enterprise_name: str
    enterprise_uscc: str  # 统一社会信用代码
    app_name: str
    package: str
    version: str
    store: str
    issuer: str
    problems: list[NoticeProblem] = field(default_factory=list)


@dataclass
class PublicNoticeRow:
    app_name: str
    developer: str
    store: str
    version: str
    problems: list[str] = field(default_factory=list)


@dataclass
class PublicNotice:
    """通报: the published list of apps that did not rectify in time."""

    title: str
    batch_no: str
    issued_on: date
    intro: str
    rows: list[PublicNoticeRow] = field(default_factory=list)
    issuer: str = ""


@dataclass
class RemovalRow:
    app_name: str
    enterprise: str
    version: str


@dataclass
class RemovalOrder:
    """下架通知: apps the stores must take down."""

    title: str
    issued_on: date
    rows: list[RemovalRow] = field(default_factory=list)
    intro: str = ""
    issuer: str = ""


Document = RectificationNotice | PublicNotice | RemovalOrder

# Table headers are part of the published format: keep them exact.
PUBLIC_NOTICE_COLUMNS = ("序号", "应用名称", "应用开发者", "应用来源", "应用版本", "所涉问题")
REMOVAL_COLUMNS = ("序号", "软件名称", "企业名称", "下架版本")
RECTIFICATION_PROBLEM_COLUMNS = ("序号", "问题类型", "问题描述", "检测证据")

# Problems in one 通报 cell are joined with the enumeration comma, as in the published notices.
PROBLEM_SEPARATOR = "、"


def zh_date(d: date) -> str:
    """2026年10月13日 (no zero padding, as written in official documents)."""
    return f"{d.year}年{d.month}月{d.day}日"


def public_notice_table(doc: PublicNotice) -> list[tuple[str, ...]]:
    """Rows of the 通报 table (without the header), one per app/store/version, problems joined with 、.

    Input rows for the same app, developer, store and version are merged (first-seen order, problems
    de-duplicated), so a caller may pass one row per finding.
    """
    merged: dict[tuple[str, str, str, str], list[str]] = {}
    for r in doc.rows:
        problems = merged.setdefault((r.app_name, r.developer, r.store, r.version), [])
        problems.extend(p for p in r.problems if p not in problems)
    return [
        (str(i), app, developer, store, version, PROBLEM_SEPARATOR.join(problems))
        for i, ((app, developer, store, version), problems) in enumerate(merged.items(), start=1)
    ]


def removal_table(doc: RemovalOrder) -> list[tuple[str, ...]]:
    return [(str(i), r.app_name, r.enterprise, r.version) for i, r in enumerate(doc.rows, start=1)]


def rectification_problem_table(doc: RectificationNotice) -> list[tuple[str, ...]]:
    return [
        (str(i), f"{p.label_zh}（第{p.problem_type}类）", p.title_zh, "\n".join(p.evidence))
        for i, p in enumerate(doc.problems, start=1)
    ]
