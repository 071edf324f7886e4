"""All tables, imported so that ``Base.metadata`` is complete (Alembic, tests)."""

from __future__ import annotations

from apprights.service.apps.models import App, AppVersion, Listing
from apprights.service.audit.models import AuditRecord
from apprights.service.campaigns.models import Campaign
from apprights.service.cases.models import CalendarYear, Case, CaseResponse
from apprights.service.complaints.models import Complaint, DetectionTask
from apprights.service.db import Base
from apprights.service.jobs.models import Job
from apprights.service.leads.models import Lead, StoredFile
from apprights.service.notices.models import Notice, NoticeCase, NoticeSnapshot
from apprights.service.orgs.models import Enterprise, Province, Sdk, SdkVendor, TestAgency
from apprights.service.scans.models import Finding, ScanRun, SelfCheck
from apprights.service.stores.models import ListingSnapshot, ListingUpload, RemovalConfirmation, Store
from apprights.service.submissions.models import Submission
from apprights.service.users.models import ApiToken, User

__all__ = [
    "ApiToken",
    "App",
    "AppVersion",
    "AuditRecord",
    "Base",
    "CalendarYear",
    "Campaign",
    "Case",
    "CaseResponse",
    "Complaint",
    "DetectionTask",
    "Enterprise",
    "Finding",
    "Job",
    "Lead",
    "Listing",
    "ListingSnapshot",
    "ListingUpload",
    "Notice",
    "NoticeCase",
    "NoticeSnapshot",
    "Province",
    "RemovalConfirmation",
    "ScanRun",
    "Sdk",
    "SdkVendor",
    "SelfCheck",
    "Store",
    "StoredFile",
    "Submission",
    "TestAgency",
    "User",
]
