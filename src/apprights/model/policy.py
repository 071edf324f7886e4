"""Facts a privacy policy declares (filled by ``extractors.policy``). Each item keeps the sentence it came from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PolicySentence:
    index: int
    section: str
    text: str


@dataclass
class DeclaredPI:
    pi_type: str  # a model.pi.PIType value
    term: str  # the words used in the policy
    sentence: int  # index into PolicyFacts.sentences
    purposes: list[str] = field(default_factory=list)


@dataclass
class PolicySdkEntry:
    name: str
    company: str = ""
    purpose: str = ""
    pi: list[str] = field(default_factory=list)  # PI types (model.pi values) where recognised
    pi_text: str = ""
    link: str = ""
    sentence: int = -1
    sdk_id: str | None = None  # resolved against the SDK catalogue


@dataclass
class PolicyFacts:
    path: str
    sha256: str
    language: str = "zh"
    title: str = ""
    char_count: int = 0
    sentences: list[PolicySentence] = field(default_factory=list)
    declared_pi: list[DeclaredPI] = field(default_factory=list)
    negated_pi: list[DeclaredPI] = field(default_factory=list)
    itemised: bool = False  # purpose/method/scope listed item by item
    has_collection_rules: bool = False
    sdk_list: list[PolicySdkEntry] = field(default_factory=list)
    permissions_explained: dict[str, int] = field(default_factory=dict)  # permission name -> sentence
    targeted_push_disclosed: int | None = None  # sentence index or None
    targeted_push_opt_out: int | None = None
    self_start_disclosed: int | None = None
    third_party_recipients: list[str] = field(default_factory=list)
    rights: dict[str, int] = field(default_factory=dict)  # access|correction|deletion|cancellation|withdrawal
    response_days: int | None = None
    response_days_sentence: int | None = None
    complaint_channel: int | None = None
    operator: str = ""
    effective_date: str = ""
    warnings: list[str] = field(default_factory=list)

    def declared_types(self) -> set[str]:
        return {d.pi_type for d in self.declared_pi}

    def excerpt(self, index: int | None, limit: int = 200) -> str:
        if index is None or index < 0 or index >= len(self.sentences):
            return ""
        return self.sentences[index].text[:limit]
