"""audit domain: the append-only log of decisions and case transitions."""

from apprights.service.audit.service import AuditImmutableError, record, record_by, trail

__all__ = ["AuditImmutableError", "record", "record_by", "trail"]
