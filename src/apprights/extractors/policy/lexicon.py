"""The policy lexicon: PI terms (Chinese and English) mapped to ``model.pi.PIType`` values, permission names,
cue words (collection, negation, purpose, targeted push, opt-out, self-start, rights, complaint channels) and
SDK-list field names. Data: ``knowledge/data/policy_lexicon.json`` (curated for this project).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from apprights.model.pi import PIType

LEXICON_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "policy_lexicon.json"


@dataclass(frozen=True)
class TermHit:
    start: int
    end: int
    term: str
    pi_type: str | None  # None for a stop term (a longer phrase that is not PI, e.g. 短信验证码)
    generic: bool = False
    also: tuple[str, ...] = ()  # further PI types the same term names ("SIM卡信息": IMSI and ICCID)

    def pi_types(self) -> tuple[str, ...]:
        """Every PI type the term names, its first one first (none for a stop term)."""
        return () if self.pi_type is None else (self.pi_type, *self.also)


@dataclass
class LanguageLexicon:
    lang: str
    terms: dict[str, tuple[str | None, bool]]  # lower-cased term -> (pi type, generic)
    cues: dict[str, re.Pattern[str]]
    permission_re: re.Pattern[str]
    permissions: dict[str, list[str]]  # casefolded term -> android permission names
    # lower-cased term -> the further PI types it names when ``pi_terms`` lists it under several types
    also: dict[str, tuple[str, ...]] = field(default_factory=dict)

    lengths: dict[str, tuple[int, ...]] = field(
        default_factory=dict
    )  # first char -> term lengths, longest first
    patterns: dict[str, re.Pattern[str]] = field(default_factory=dict)  # regex cues (purpose, rights …)
    words: dict[str, frozenset[str]] = field(default_factory=dict)  # word lists (purpose_not_after)
    # the characters a term can start with, so that pi_hits jumps over the others in C
    starts: re.Pattern[str] = field(default_factory=lambda: re.compile(r"(?!x)x"), init=False, repr=False)

    def __post_init__(self) -> None:
        by_first: dict[str, set[int]] = {}
        for t in self.terms:
            by_first.setdefault(t[0], set()).add(len(t))
        self.lengths = {c: tuple(sorted(ls, reverse=True)) for c, ls in by_first.items()}
        if self.lengths:
            first = "[" + "".join(re.escape(c) for c in sorted(self.lengths)) + "]"
            # English terms start at a word edge (see _word_edge): skip positions after a letter or digit
            # ("[^\W_]" is exactly str.isalnum)
            self.starts = re.compile(("(?<![^\\W_])" if self.lang == "en" else "") + first)

    def pi_hits(self, text: str) -> list[TermHit]:
        """Leftmost-longest lexicon matches; ASCII-edged terms need non-alphanumeric neighbours."""
        low = text.lower()
        if len(low) != len(text):
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        hits: list[TermHit] = []
        lengths, terms, n, starts = self.lengths, self.terms, len(low), self.starts
        i = 0
        while i < n:
            m = starts.search(low, i)  # positions no term starts at are skipped
            if m is None:
                break
            i = m.start()
            ls = lengths[low[i]]
            if _isalnum_ascii(low[i]) and i > 0 and _isalnum_ascii(low[i - 1]):
                run = _ALNUM_RUN.match(low, i)  # inside an ASCII word: skip the rest of it
                i = run.end() if run is not None and run.end() > i else i + 1
                continue
            for length in ls:
                cand = low[i : i + length]
                if len(cand) != length or cand not in terms:
                    continue
                if _isalnum_ascii(cand[-1]) and i + length < n and _isalnum_ascii(low[i + length]):
                    continue
                if self.lang == "en" and not _word_edge(low, i, length):
                    continue
                pi, generic = terms[cand]
                hits.append(
                    TermHit(i, i + length, text[i : i + length], pi, generic, self.also.get(cand, ()))
                )
                i += length - 1
                break
            i += 1
        return hits

    def has(self, cue: str, text: str) -> bool:
        return self.cues[cue].search(text) is not None

    def find(self, cue: str, text: str) -> re.Match[str] | None:
        return self.cues[cue].search(text)

    def pattern(self, name: str) -> re.Pattern[str]:
        """A compiled regex cue from the lexicon's ``patterns`` (never matches when absent)."""
        return self.patterns.get(name, _NEVER)

    def permission_hits(self, text: str) -> list[tuple[str, list[str]]]:
        return [
            (m.group(0), self.permissions[m.group(0).casefold()]) for m in self.permission_re.finditer(text)
        ]


@dataclass
class PolicyLexicon:
    version: str
    zh: LanguageLexicon
    en: LanguageLexicon
    covers: tuple[str, ...]
    sdk_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # normalised policy name -> catalogue id (None: recognised, but no Android SDK in the catalogue)
    sdk_aliases: dict[str, str | None] = field(default_factory=dict)
    # brand (normalised) -> (vendor name fragment, default catalogue id or None)
    sdk_vendors: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    sdk_family_brands: frozenset[str] = frozenset()  # brands whose bare name covers all their SDKs
    sdk_generic: frozenset[str] = frozenset()  # name parts too generic to match on alone ("push", "推送")
    sdk_category_hints: dict[str, str] = field(default_factory=dict)  # word -> catalogue category

    def lang(self, language: str) -> LanguageLexicon:
        return self.zh if language == "zh" else self.en

    def classify_sdk_key(self, key: str) -> str | None:
        """The SDK-list field a key names (name|company|purpose|pi|link|website|method|permission), or None."""
        k = key.casefold().strip()
        if not k or len(k) > 24:
            return None
        for fld in ("website", "link", "pi", "company", "purpose", "name", "method", "permission"):
            if any(w in k for w in self.sdk_fields.get(fld, ())):
                return fld
        return None

    @classmethod
    def load(cls, path: Path = LEXICON_FILE) -> PolicyLexicon:
        from apprights.model.policy import normalise_name

        raw = json.loads(path.read_text(encoding="utf-8"))
        aliases = raw.get("sdk_aliases", {})
        return cls(
            version=str(raw["version"]),
            zh=_build(raw, "zh"),
            en=_build(raw, "en"),
            covers=tuple(raw["generic_terms"]["covers"]),
            sdk_fields={k: tuple(v) for k, v in raw["sdk_fields"].items()},
            sdk_aliases={normalise_name(k): v for k, v in aliases.get("names", {}).items()},
            sdk_vendors={
                normalise_name(k): (str(v[0]), v[1] if v[1] else None)
                for k, v in aliases.get("vendors", {}).items()
            },
            sdk_family_brands=frozenset(
                normalise_name(k) for k, v in aliases.get("vendors", {}).items() if len(v) > 2 and v[2]
            ),
            sdk_generic=frozenset(normalise_name(w) or w for w in aliases.get("generic_words", [])),
            sdk_category_hints={k.casefold(): v for k, v in aliases.get("category_hints", {}).items()},
        )


@lru_cache(maxsize=4)
def default_lexicon(path: Path = LEXICON_FILE) -> PolicyLexicon:
    """The packaged lexicon, loaded once per process on first use (read-only data)."""
    return PolicyLexicon.load(path)


_NEVER = re.compile(r"(?!x)x")
_ALNUM_RUN = re.compile(r"[A-Za-z0-9]*")


def _isalnum_ascii(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _word_edge(low: str, i: int, length: int) -> bool:
    before = low[i - 1] if i > 0 else " "
    after = low[i + length] if i + length < len(low) else " "
    return not (before.isalnum() or after.isalnum())


def _alternation(words: list[str], lang: str) -> str:
    parts = []
    for w in sorted(set(words), key=lambda x: (-len(x), x)):
        e = re.escape(w)
        if lang == "en" or re.match(r"[A-Za-z0-9]", w[0]):
            e = r"(?<![A-Za-z0-9])" + e
        if lang == "en" or re.match(r"[A-Za-z0-9]", w[-1]):
            e = e + r"(?![A-Za-z0-9])"
        parts.append(e)
    return "|".join(parts) if parts else r"(?!x)x"


def _build(raw: dict[str, object], lang: str) -> LanguageLexicon:
    terms: dict[str, tuple[str | None, bool]] = {}
    also: dict[str, tuple[str, ...]] = {}
    pi_terms = raw["pi_terms"]
    assert isinstance(pi_terms, dict)
    for pi, by_lang in pi_terms.items():
        PIType(pi)  # validate
        for t in by_lang.get(lang, []):
            key = t.casefold()
            first = terms.setdefault(key, (pi, False))[0]
            if first != pi and pi not in also.get(key, ()):
                also[key] = (*also.get(key, ()), pi)  # a term listed under several types names them all
    generic = raw["generic_terms"]
    assert isinstance(generic, dict)
    for pi, by_lang in generic.items():
        if pi == "covers":
            continue
        for t in by_lang.get(lang, []):
            terms[t.casefold()] = (pi, True)
    stop = raw["stop_terms"]
    assert isinstance(stop, dict)
    for t in stop.get(lang, []):
        terms[t.casefold()] = (None, False)
    cues: dict[str, re.Pattern[str]] = {}
    raw_cues = raw["cues"]
    assert isinstance(raw_cues, dict)
    for name, by_lang in raw_cues.items():
        words = by_lang.get(lang, [])
        if name == "negation":
            cues[name] = re.compile("|".join(words) or r"(?!x)x", re.I)
        elif lang == "en":
            cues[name] = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + ")", re.I)
        else:
            cues[name] = re.compile(
                "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I
            )
    perms: dict[str, list[str]] = {}
    raw_perms = raw["permissions"]
    assert isinstance(raw_perms, list)
    for p in raw_perms:
        for t in p.get(lang, []):
            perms.setdefault(t.casefold(), []).extend(p["android"])
    permission_re = re.compile(_alternation(list(perms), lang), re.I)
    patterns: dict[str, re.Pattern[str]] = {}
    word_lists: dict[str, frozenset[str]] = {}
    raw_patterns = raw.get("patterns", {})
    assert isinstance(raw_patterns, dict)
    for name, by_lang in raw_patterns.items():
        items = [str(x) for x in by_lang.get(lang, [])]
        if name.endswith("_not_after"):
            word_lists[name] = frozenset(w.casefold() for w in items)
        elif items:
            patterns[name] = re.compile("|".join(f"(?:{x})" for x in items), re.I)
    for t in list(also):
        if terms[t][0] is None or terms[t][1]:
            del also[t]  # a stop or generic term overrides the specific ones
    return LanguageLexicon(
        lang, terms, cues, permission_re, perms, also=also, patterns=patterns, words=word_lists
    )
