"""Test inputs built from small descriptions, shipped for tests, benchmarks and users.

- ``dexwriter``: valid DEX (035) files from classes, methods and a tiny instruction API; ``big_dex`` for
  benchmarks, ``dex_with_calls`` for rule fixtures, ``call_sites_of`` for the ground truth.
- ``axmlwriter``: binary AndroidManifest.xml (AXML) from textual XML or an Element (re-exported from
  ``apprights.collect.axmlwriter``, where the stimulus APK builder uses it).
- ``apkbuilder``: ``build_apk(path, manifest, dex, extra, sign)``.
- ``factories``: ``make_manifest``, ``make_code``, ``make_sdk_hit``, ``make_facts``, ``make_knowledge`` ….
- ``listings``: store-listing inputs.
"""
