"""Privacy-policy extractor: an HTML, Markdown or text file -> ``PolicyFacts``.

``extract_policy(path)`` reads a local file; ``extract_policy_bytes`` works on bytes already in memory (for
example from ``fetch.fetch_policy``, which is off by default). Bad input raises ``InputError`` only.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from apprights.errors import InputError
from apprights.extractors.policy.declare import analyse
from apprights.extractors.policy.lexicon import PolicyLexicon, default_lexicon
from apprights.extractors.policy.text import MAX_BYTES, parse
from apprights.knowledge.sdks import SdkCatalogue
from apprights.model.policy import PolicyFacts

__all__ = ["MAX_BYTES", "extract_policy", "extract_policy_bytes"]

log = logging.getLogger(__name__)


def extract_policy(
    path: Path, *, sdk_catalogue: SdkCatalogue | None = None, lexicon: PolicyLexicon | None = None
) -> PolicyFacts:
    """Read and analyse a policy file. Raises ``InputError`` for a missing, oversized or unreadable file."""
    p = Path(path)
    try:
        if not p.is_file():
            raise InputError(str(p), "no such policy file")
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(str(p), f"policy file too large ({size} bytes > {MAX_BYTES})")
        with p.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(str(p), f"cannot read policy file ({exc.strerror or exc})") from None
    return extract_policy_bytes(data, source=str(p), sdk_catalogue=sdk_catalogue, lexicon=lexicon)


def extract_policy_bytes(
    data: bytes,
    *,
    source: str,
    sdk_catalogue: SdkCatalogue | None = None,
    lexicon: PolicyLexicon | None = None,
) -> PolicyFacts:
    """Analyse policy bytes; ``source`` names the input in facts and errors."""
    parsed = parse(data, source)
    lex = lexicon or default_lexicon()
    facts = PolicyFacts(
        path=source,
        sha256=hashlib.sha256(data).hexdigest(),
        language=parsed.language,
        title=parsed.title[:200],
        char_count=len(parsed.text),
        sentences=parsed.sentences,
        format=parsed.format,
        encoding=parsed.encoding,
        tables=parsed.tables,
        warnings=list(parsed.warnings),
    )
    try:
        analyse(parsed, facts, lex, sdk_catalogue)
    except RecursionError:  # pragma: no cover - defensive: patterns are linear, input is capped
        raise InputError(source, "policy structure too deeply nested") from None
    if not facts.has_collection_rules:
        facts.warnings.append("no collection rules recognised (no PI types declared)")
    log.debug("policy %s: %d sentences, %d declared PI", source, len(facts.sentences), len(facts.declared_pi))
    return facts
