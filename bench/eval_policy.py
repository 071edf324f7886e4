"""Evaluate the privacy-policy extractor against labelled public data and write bench/RESULTS-policy.md.

1. PI-type extraction vs the CA4P-483 "数据" spans (5 sample policies, ../shared/data/policies/ca4p483_sample):
   each gold span is mapped to PI types with the extractor's own lexicon (spans that map to nothing, such as
   "这些信息" or "昵称", are counted separately as lexicon coverage). Scored at document level (set of PI types
   per policy) and at sentence level ((sentence, PI type) pairs; a gold span belongs to the extractor's sentence
   that contains its start offset). Predictions are ``declared_pi`` (negated mentions excluded), which also
   tests the collection-context and negation filters: CA4P marks data mentions whether collected or not.
2. Sentence labels vs the 152 labelled sentences of VioDroid-Finder (dev_sample_labelled_dataset.csv): each
   sentence is analysed as a one-sentence policy, and the extracted fields are mapped to the compliance rules
   (CR) they evidence. Precision/recall/F1 per CR over the 152 sentences.

Usage: .venv/bin/python bench/eval_policy.py [--shared ../shared/data] [--out bench/RESULTS-policy.md]
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from apprights.errors import InputError
from apprights.extractors.policy import extract_policy_bytes
from apprights.model.policy import PolicyFacts

REPO = Path(__file__).resolve().parents[1]

# Held-out split, fixed on 2026-12-04 15:30 UTC BEFORE the issue-12 policy work started, and not looked at
# while tuning (only the dev part's errors were read). Everything not listed here is the dev set.
# CA4P-483: the two highest ids of the five sample policies. VioDroid-Finder: every third labelled sentence
# (0-based row index % 3 == 2). OPP-115: the second of the two sample policies.
HELD_OUT_CA4P = frozenset({"0499", "0500"})
HELD_OUT_VIODROID_MOD = 3  # row index % 3 == 2 is held out
HELD_OUT_OPP115 = frozenset({"135_instagram.com"})


def viodroid_held_out(row_index: int) -> bool:
    return row_index % HELD_OUT_VIODROID_MOD == HELD_OUT_VIODROID_MOD - 1


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set[object], pred: set[object]) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    def row(self, name: str, extra: str = "") -> str:
        return f"| {name} | {self.tp} | {self.fp} | {self.fn} | {self.p:.3f} | {self.r:.3f} | {self.f1:.3f} |{extra}"


class LabelScores:
    """Scores per label over (unit, label) pairs, plus their micro-average."""

    def __init__(self) -> None:
        self.by_label: dict[str, Score] = {}

    def add(self, gold: set[tuple[object, str]], pred: set[tuple[object, str]]) -> None:
        for label in {lab for _, lab in gold | pred}:
            g = {u for u, lab in gold if lab == label}
            p = {u for u, lab in pred if lab == label}
            self.by_label.setdefault(label, Score()).add(g, p)  # type: ignore[arg-type]

    def micro(self) -> Score:
        total = Score()
        for sc in self.by_label.values():
            total.tp, total.fp, total.fn = total.tp + sc.tp, total.fp + sc.fp, total.fn + sc.fn
        return total

    def rows(self, order: list[str] | None = None) -> list[str]:
        labels = order or sorted(
            self.by_label, key=lambda lab: (-(self.by_label[lab].tp + self.by_label[lab].fn), lab)
        )
        out = []
        for lab in labels:
            sc = self.by_label.get(lab, Score())
            out.append(label_row(lab, sc))
        out.append(label_row("**micro-average**", self.micro()))
        return out


LABEL_HEADER = [
    "| label | support | TP | FP | FN | precision | recall | F1 |",
    "|---|---|---|---|---|---|---|---|",
]


def label_row(name: str, sc: Score) -> str:
    return (
        f"| {name} | {sc.tp + sc.fn} | {sc.tp} | {sc.fp} | {sc.fn} | {sc.p:.3f} | {sc.r:.3f} | {sc.f1:.3f} |"
    )


def _sentence_offsets(raw: str, facts: PolicyFacts) -> list[int]:
    """Start offset of each extracted sentence in the raw text (sequential search; -1 when not found)."""
    out: list[int] = []
    pos = 0
    for s in facts.sentences:
        probe = s.text[:20]
        i = raw.find(probe, pos)
        if i < 0:
            i = raw.find(probe)
        out.append(i)
        if i >= 0:
            pos = i + 1
    return out


GOLD_SPANS = REPO / "bench" / "data" / "ca4p_span_types.tsv"


def load_span_gold(path: Path = GOLD_SPANS) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or line.startswith("span\t"):
                continue
            span, _, types = line.rstrip("\n").partition("\t")
            out[span] = {t for t in types.split(",") if t}
    return out


@dataclass
class Ca4pResult:
    sentence: LabelScores
    document: Score
    spans: int
    typed: int


def _ca4p_docs(root: Path) -> list[tuple[str, str, PolicyFacts, list[dict[str, object]]]]:
    docs = []
    for ann in sorted((root / "merged_json").glob("*.json")):
        page = (root / "raw_data" / f"{ann.stem}.html").read_text(encoding="utf-8")
        m = re.search(r"<pre[^>]*>(.*?)</pre>", page, re.S)
        if m is None:
            continue
        raw = html.unescape(m.group(1))
        facts = extract_policy_bytes(page.encode("utf-8"), source=ann.name)
        docs.append((ann.stem, raw, facts, json.loads(ann.read_text(encoding="utf-8"))))
    return docs


def eval_ca4p(root: Path) -> dict[str, Ca4pResult]:
    """PI types vs the hand-typed CA4P 数据 spans, by split: document level and (sentence, type) level."""
    gold_types = load_span_gold()
    out = {split: Ca4pResult(LabelScores(), Score(), 0, 0) for split in ("dev", "held-out")}
    for stem, raw, facts, anns in _ca4p_docs(root):
        res = out["held-out" if stem in HELD_OUT_CA4P else "dev"]
        offsets = _sentence_offsets(raw, facts)
        gold_doc: set[object] = set()
        gold_sent: set[tuple[object, str]] = set()
        for a in anns:
            if a.get("classId_name") != "数据":
                continue
            res.spans += 1
            text = str(a["text"])
            if text not in gold_types:
                raise SystemExit(f"{GOLD_SPANS.name}: no gold for span {text!r} of {stem}")
            types = gold_types[text]
            res.typed += bool(types)
            start = int(str(a["start"]))
            sent = max((i for i, o in enumerate(offsets) if 0 <= o <= start), default=-1)
            for t in types:
                gold_doc.add(t)
                gold_sent.add((sent, t))
        pred_doc: set[object] = {d.pi_type for d in facts.declared_pi}
        pred_sent: set[tuple[object, str]] = {(d.sentence, d.pi_type) for d in facts.declared_pi}
        res.document.add(gold_doc, pred_doc)
        res.sentence.add(
            {(f"{stem}#{u}", t) for u, t in gold_sent}, {(f"{stem}#{u}", t) for u, t in pred_sent}
        )
    return out


def eval_ca4p_purpose(root: Path) -> dict[str, Score]:
    """Purpose attached to PI vs the CA4P-483 "目的" spans, sentence level, by split.

    Gold: sentences holding the start of a 目的 span. Prediction: sentences with a declared PI whose purpose
    phrase is read from that sentence itself (purposes inherited from a business-function heading are not
    counted: CA4P marks purposes in the running text)."""
    out = {"dev": Score(), "held-out": Score()}
    for stem, raw, facts, anns in _ca4p_docs(root):
        offsets = _sentence_offsets(raw, facts)
        gold: set[object] = set()
        for a in anns:
            if a.get("classId_name") == "目的":
                start = int(str(a["start"]))
                gold.add(max((i for i, o in enumerate(offsets) if 0 <= o <= start), default=-1))
        pred: set[object] = {
            d.sentence
            for d in facts.declared_pi
            if any(p and p in facts.sentences[d.sentence].text for p in d.purposes)
        }
        out["held-out" if stem in HELD_OUT_CA4P else "dev"].add(gold, pred)
    return out


# CR -> predicate over the facts of a one-sentence policy
CR_RULES: dict[str, tuple[str, Callable[[PolicyFacts], bool]]] = {
    "CR1": ("effective/update date", lambda f: bool(f.effective_date or f.updated_date)),
    "CR3": (
        "controller identity (name or registered address)",
        lambda f: bool(f.operator) or f.operator_address_label.startswith(("注册", "registered")),
    ),
    "CR4": ("contact channel", lambda f: f.complaint_channel is not None),
    "CR8": ("withdraw consent", lambda f: "withdrawal" in f.rights),
    "CR9": ("turn off personalisation", lambda f: f.targeted_push_opt_out is not None),
    "CR10": (
        "other rights (access/correct/delete/cancel)",
        lambda f: bool({"access", "correction", "deletion", "cancellation"} & set(f.rights)),
    ),
    "CR11": ("purpose of collection", lambda f: any(d.purposes for d in f.declared_pi)),
    # a sentence that only describes the switch is CR9 in this scheme, not CR12
    "CR12": (
        "personalised display",
        lambda f: (
            f.targeted_push_disclosed is not None and f.targeted_push_disclosed != f.targeted_push_opt_out
        ),
    ),
    "CR13": ("PI collected", lambda f: bool(f.declared_pi)),
}


def eval_viodroid(path: Path) -> tuple[dict[str, LabelScores], dict[str, int]]:
    """Per CR, by split (every third sentence is held out): each sentence analysed as a one-sentence policy."""
    scores = {"dev": LabelScores(), "held-out": LabelScores()}
    sizes = {"dev": 0, "held-out": 0}
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if len(r) >= 3]
    for i, row in enumerate(rows):
        split = "held-out" if viodroid_held_out(i) else "dev"
        sizes[split] += 1
        text, labels = row[0], {x for x in row[2].split("#") if x}
        facts = extract_policy_bytes(text.encode("utf-8"), source="sentence")
        gold = {(i, cr) for cr in CR_RULES if cr in labels}
        pred = {(i, cr) for cr, (_, rule) in CR_RULES.items() if rule(facts)}
        scores[split].add(gold, pred)  # type: ignore[arg-type]
    return scores, sizes


def viodroid_rows(scores: LabelScores) -> list[str]:
    rows = []
    for cr, (desc, _) in CR_RULES.items():
        rows.append(label_row(f"{cr} {desc}", scores.by_label.get(cr, Score())))
    rows.append(label_row("**micro-average**", scores.micro()))
    return rows


OPP_CATEGORIES: dict[str, set[str]] = {
    "Location": {"location"},
    "IP address and device IDs": {"ip", "device_id", "android_id", "oaid", "mac", "serial", "imsi", "iccid"},
    "Financial": {"payment", "bank_card", "credit"},
    "Contact": {"phone_number", "address", "email"},  # the user's own contact data, not the address book
    # OPP-115 categories the vocabulary models since issue 12 (GB/T 35273 appendix A types)
    "Demographic": {"age", "gender", "birthday"},
    "Personal identifier": {"id_number", "id_document"},
    "Computer information": {"device_info"},
    "User online activities": {"browser_history", "usage_stats"},
}


def eval_opp115(root: Path) -> list[str]:
    """Segment level: OPP-115 PI-type categories (collection/sharing practices, union over annotators)."""
    rows: list[str] = []
    for page in sorted(root.glob("sanitized_policies__*.html")):
        name = page.name.removeprefix("sanitized_policies__").removesuffix(".html")
        ann = root / f"annotations__{name}.csv"
        if not ann.is_file():
            continue
        segments = page.read_text(encoding="utf-8").split("|||")
        gold: dict[int, set[object]] = {}
        with ann.open(encoding="utf-8") as fh:
            for r in csv.reader(fh):
                if len(r) < 7 or r[5] not in ("First Party Collection/Use", "Third Party Sharing/Collection"):
                    continue
                value = json.loads(r[6]).get("Personal Information Type", {}).get("value")
                if value in OPP_CATEGORIES:
                    gold.setdefault(int(r[4]), set()).add(value)
        doc = Score()
        for i, seg in enumerate(segments):
            try:
                facts = extract_policy_bytes(seg.encode("utf-8"), source=f"{name}#{i}")
            except InputError:  # an empty segment
                continue
            types = {d.pi_type for d in facts.declared_pi}
            pred: set[object] = {c for c, ts in OPP_CATEGORIES.items() if ts & types}
            doc.add(gold.get(i, set()), pred)
        split = "held-out" if name in HELD_OUT_OPP115 else "dev"
        rows.append(doc.row(f"OPP-115 {name} ({split}, segment level)"))
    return rows


FIELD_GOLD = REPO / "bench" / "data" / "policy_fields.tsv"
FIELDS = ("updated", "effective", "operator", "address", "phone", "email")


def _norm_field(field_name: str, value: str) -> str:
    v = re.sub(r"\s", "", value)
    if field_name == "phone":
        return re.sub(r"[^\d+]", "", v)
    return v.lower() if field_name == "email" else v


def eval_fields(pol: Path) -> tuple[LabelScores, int]:
    """Document fields vs the hand-labelled table: dates, operator, address, contact phones and emails."""
    gold: dict[str, dict[str, set[str]]] = {}
    with FIELD_GOLD.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or line.startswith("policy\t"):
                continue
            doc, fld, value = line.rstrip("\n").split("\t")
            gold.setdefault(doc, {}).setdefault(fld, set()).add(_norm_field(fld, value))
    scores = LabelScores()
    for doc, by_field in sorted(gold.items()):
        path = pol / doc
        facts = extract_policy_bytes(path.read_bytes(), source=path.name)
        pred = {
            "updated": {facts.updated_date} - {""},
            "effective": {facts.effective_date} - {""},
            "operator": {facts.operator} - {""},
            "address": {facts.operator_address} - {""},
            "phone": set(facts.contact_phones),
            "email": set(facts.contact_emails),
        }
        for fld in FIELDS:
            g = by_field.get(fld, set())
            p = {_norm_field(fld, v) for v in pred[fld]}
            if fld == "address":  # the address as far as the gold goes ("…35层" in "…35层。产品运营…")
                p = {next((x for x in g if v.startswith(x)), v) for v in p}
            scores.add({(doc, f"{fld}:{v}") for v in g}, {(doc, f"{fld}:{v}") for v in p})
    by_field_scores = LabelScores()
    for label, sc in scores.by_label.items():
        fld = label.split(":", 1)[0]
        agg = by_field_scores.by_label.setdefault(fld, Score())
        agg.tp, agg.fp, agg.fn = agg.tp + sc.tp, agg.fp + sc.fp, agg.fn + sc.fn
    return by_field_scores, len(gold)


def eval_sdk_rows(root: Path) -> list[str]:
    """SDK-list rows of the real Chinese policies resolved to SDK-catalogue ids (no gold labels: a coverage
    measure; the unresolved names are listed so a reader can judge whether the catalogue lacks them)."""
    from apprights.knowledge import Knowledge

    catalogue = Knowledge.load().sdks
    rows: list[str] = []
    total = resolved = 0
    for path in sorted(root.glob("*.md")):
        facts = extract_policy_bytes(path.read_bytes(), source=path.name, sdk_catalogue=catalogue)
        if not facts.sdk_list:
            continue
        n = len(facts.sdk_list)
        ok = [e for e in facts.sdk_list if e.sdk_id]
        total += n
        resolved += len(ok)
        missing = ", ".join(e.name for e in facts.sdk_list if not e.sdk_id) or "-"
        rows.append(f"| {path.stem[:40]} | {n} | {len(ok)} | {missing} |")
    rows.append(f"| **all** | {total} | {resolved} | |")
    return rows


def _word_mix(size: int) -> bytes:
    import random

    rnd = random.Random(1)
    words = "我们 收集 您的 个人信息 手机号 位置 用于 为了 删除 注销 账号 SDK 第三方 权限 。 ， ； ： （ ） 、 | 1. 一、"
    pool = [*words.split(" "), "\n", " ", "<", ">", "we", "collect", "your", "Google", "Inc."]
    parts: list[str] = []
    n = 0
    while n < size:
        w = rnd.choice(pool)
        parts.append(w)
        n += len(w.encode())
    return "".join(parts).encode()


def eval_hostile() -> list[str]:
    """CPU time of the adversarial shapes of the hostile-input report (near the 5 MB cap)."""
    shapes: list[tuple[str, Callable[[], bytes]]] = [
        ("600,000 × `&#x4e00;` (4.8 MB)", lambda: b"&#x4e00;" * 600_000),
        ("4 MB random mix of policy words and punctuation", lambda: _word_mix(4_000_000)),
        ("4,000,000 × `<`", lambda: b"<" * 4_000_000),
        ("`<script>` + 4 MB", lambda: b"<script>" + b"a" * 4_000_000),
        ("200,000 nested `<div>`", lambda: b"<div>" * 200_000 + b"x" + b"</div>" * 200_000),
    ]
    rows = []
    for label, make in shapes:
        data = make()
        t0 = time.process_time()
        try:
            facts = extract_policy_bytes(data, source="hostile")
            outcome = f"{len(facts.sentences)} sentences, {len(facts.warnings)} warnings"
        except InputError as exc:
            outcome = f"InputError ({exc})"
        rows.append(f"| {label} | {time.process_time() - t0:.2f} | {outcome} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "RESULTS-policy.md")
    args = ap.parse_args(argv)
    pol = args.shared / "policies"
    if not pol.is_dir():
        sys.stderr.write(f"shared data not found: {pol}\n")
        return 2
    start = time.perf_counter()
    ca4p = eval_ca4p(pol / "ca4p483_sample")
    purpose = eval_ca4p_purpose(pol / "ca4p483_sample")
    vio, vio_sizes = eval_viodroid(pol / "viodroid_finder" / "dev_sample_labelled_dataset.csv")
    opp_rows = eval_opp115(pol / "opp115_sample")
    sdk_rows = eval_sdk_rows(pol / "see_agreement_sample")
    fields, n_field_docs = eval_fields(pol)
    elapsed = time.perf_counter() - start
    hostile_rows = eval_hostile()
    header = ["| evaluation | TP | FP | FN | precision | recall | F1 |", "|---|---|---|---|---|---|---|"]
    dev_docs = ", ".join(
        sorted({p.stem for p in (pol / "ca4p483_sample" / "merged_json").glob("*.json")} - HELD_OUT_CA4P)
    )
    lines = [
        "# Privacy-policy extractor: evaluation",
        "",
        "Generated by `bench/eval_policy.py` (do not edit by hand).",
        "",
        "## Splits",
        "",
        "The held-out split was fixed in `bench/eval_policy.py` before the issue-12 work (vocabulary, dates, "
        "operator, rights) started, and its errors were not read while tuning; only the dev split's were. "
        "All of this data was seen by earlier versions of the extractor, so held-out here means *not used for "
        "this round's tuning*, not never seen. Two things were seen on the held-out split: the per-label "
        "totals of this script run once on the unchanged extractor (the baseline, before any tuning), and the "
        "CA4P 数据 span texts, typed by hand for the gold of both splits before tuning; no held-out sentence "
        "and its prediction was looked at. The dates/operator/contact table below has no held-out split.",
        "",
        "| data | dev | held-out |",
        "|---|---|---|",
        f"| CA4P-483 sample policies | {dev_docs} | {', '.join(sorted(HELD_OUT_CA4P))} |",
        f"| VioDroid-Finder labelled sentences | {vio_sizes['dev']} (row index % 3 ≠ 2) "
        f"| {vio_sizes['held-out']} (row index % 3 = 2) |",
        f"| OPP-115 sample policies | 105_amazon.com | {', '.join(sorted(HELD_OUT_OPP115))} |",
        "",
        "## PI types vs CA4P-483 数据 spans, hand-typed gold",
        "",
        "Gold: each 数据 span typed by hand to PI types (`bench/data/ca4p_span_types.tsv`, read against GB/T "
        "35273 appendix A without running the extractor; generic spans such as 个人信息 or 这些信息 get no "
        "type). Prediction: declared (non-negated) PI. Scored per (sentence, PI type); a gold span belongs to "
        "the extractor's sentence holding its start. Not circular with the lexicon, but typed by the same "
        "engineer who extended it, so the vocabulary choices are shared. CA4P does not annotate every data "
        "mention (0498 marks 2 spans), so some false positives are real declarations the annotators skipped.",
        "",
    ]
    for split in ("dev", "held-out"):
        res = ca4p[split]
        lines += [
            f"### {split}: {res.spans} spans, {res.typed} with a specific PI type",
            "",
            *LABEL_HEADER,
            *res.sentence.rows(),
            "",
            *header,
            res.document.row(f"CA4P {split}, document level (set of PI types per policy)"),
            purpose[split].row(f"CA4P {split}, 目的 (purpose) spans, sentence level"),
            "",
        ]
    lines += [
        "## Sentence labels vs VioDroid-Finder (152 labelled sentences)",
        "",
        "Each sentence analysed as a one-sentence policy; extracted fields mapped to the CR they evidence. "
        "A few positives per CR and split, so one sentence moves F1 by 0.1 or more. Without its document, a "
        "sentence loses the section context the extractor uses (a business-function heading such as "
        '"1.1 注册和登录账号" supplies the purpose of the PI under it), and VioDroid labels some bare headings '
        "as CR11 (purpose) that no sentence-level reading can match. CR10/CR8 count a right only when the user "
        'is the one who can act ("您可以…删除"), not mentions such as "我们会删除…" in a retention clause.',
        "",
    ]
    for split in ("dev", "held-out"):
        lines += [
            f"### {split} ({vio_sizes[split]} sentences)",
            "",
            *LABEL_HEADER,
            *viodroid_rows(vio[split]),
            "",
        ]
    lines += [
        f"## Dates, operator and contact vs hand-labelled fields ({n_field_docs} real policies, dev only)",
        "",
        "Gold: `bench/data/policy_fields.tsv` (see-agreement sample, VioDroid-Finder app policies and 抖音). One "
        "unit per (policy, field, value); a wrong value counts as one FP and one FN. An address matches when the "
        "extracted one starts with the gold one. These policies were read while writing the reader, so there "
        "is no held-out figure for these fields.",
        "",
        *LABEL_HEADER,
        *fields.rows(list(FIELDS)),
        "",
    ]
    lines += [
        "## English: PI categories vs OPP-115 (2 sample policies, segment level)",
        "",
        'Gold: the "Personal Information Type" of First-Party Collection/Use and Third-Party Sharing annotations '
        "(union over annotators) restricted to categories the PI vocabulary models (Location, IP address and "
        "device IDs, Financial, Contact, Computer information, User online activities, Demographic, Personal "
        "identifier); prediction: declared PI "
        "types of the segment mapped to those categories.",
        "",
        *header,
        *opp_rows,
        "",
        "## SDK-list rows resolved to SDK-catalogue ids (see-agreement sample policies)",
        "",
        "No gold labels: the share of extracted SDK rows that resolve (alias table, then name, then vendor) to "
        "an id of knowledge/data/sdks.json. Unresolved names are listed; most are SDKs the catalogue lacks.",
        "",
        "| policy | SDK rows | resolved | unresolved names |",
        "|---|---|---|---|",
        *sdk_rows,
        "",
        f"Total time: {elapsed:.2f} s.",
        "",
        "## Hostile input (CPU time, this machine)",
        "",
        "The adversarial shapes of the hostile-input report, analysed in-process without an SDK catalogue. The "
        "extractor keeps the first 500,000 characters of text (after markup removal), 10,000 sentences and "
        "200,000 HTML tags and text runs, and records a warning when it cuts; real policies stay far below.",
        "",
        "| input | CPU s | result |",
        "|---|---|---|",
        *hostile_rows,
        "",
    ]
    text = "\n".join(lines)
    args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
