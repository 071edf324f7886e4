"""The AXML writer, kept under ``apprights.testing`` for test and benchmark code that imports it from here.

The writer itself lives in :mod:`apprights.collect.axmlwriter` because the collector's stimulus APK (production
code) needs it, and production code does not import from ``apprights.testing``.
"""

from __future__ import annotations

from apprights.collect.axmlwriter import ANDROID_ATTR_IDS, ANDROID_NS, write_axml

__all__ = ["ANDROID_ATTR_IDS", "ANDROID_NS", "write_axml"]
