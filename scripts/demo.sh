#!/usr/bin/env bash
# The main job on bundled sample input: scan the demo news app with all four kinds of evidence (APK, privacy
# policy, runtime trace, store listings), then a real third-party APK (Tencent's Bugly demo).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p out
echo "== apprights scan: 示例新闻 (APK + policy + trace + listings, category 新闻资讯类)"
"$BIN/apprights" scan samples/demo/news-5.2.0.apk \
  --policy samples/demo/policy.html \
  --trace samples/demo/trace-first-launch.jsonl \
  --listing samples/listing-news.json \
  --category 新闻资讯类 --developer 示例科技有限公司 --fail-on none
"$BIN/apprights" scan samples/demo/news-5.2.0.apk --policy samples/demo/policy.html \
  --trace samples/demo/trace-first-launch.jsonl --listing samples/listing-news.json --category 新闻资讯类 \
  --format json --output out/demo-report.json --fail-on none
"$BIN/apprights" scan samples/demo/news-5.2.0.apk --policy samples/demo/policy.html \
  --trace samples/demo/trace-first-launch.jsonl --listing samples/listing-news.json --category 新闻资讯类 \
  --format html --output out/demo-report.html --fail-on none
echo
echo "== apprights scan: samples/apks/bugly-demo.apk (Tencent Bugly demo, Apache-2.0)"
"$BIN/apprights" scan samples/apks/bugly-demo.apk --fail-on none
echo
echo "Reports written: out/demo-report.json, out/demo-report.html"
