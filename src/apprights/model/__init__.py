"""Pure data: facts, evidence, findings. No I/O."""

from apprights.model.facts import AppFacts, CallSite, CodeFacts, Component, ManifestFacts, SdkHit
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject, SubjectKind
from apprights.model.pi import PIType

__all__ = [
    "AppFacts",
    "CallSite",
    "CodeFacts",
    "Component",
    "Confidence",
    "Evidence",
    "Finding",
    "ManifestFacts",
    "PIType",
    "SdkHit",
    "Severity",
    "Subject",
    "SubjectKind",
]
