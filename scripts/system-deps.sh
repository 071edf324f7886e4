#!/usr/bin/env bash
# Install and start what the tests need on a Debian machine: Android tools (aapt, apksigner, dexdump, zipalign,
# framework resources), Chromium for browser tests, a CJK font for PDFs, poppler for PDF→PNG checks, and a
# PostgreSQL server at 127.0.0.1:5432 with trust auth and a database `test` (started if not running).
# Idempotent; skips what is already there. Needs root (or sudo) only when something is missing.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

need=()
for pair in aapt:aapt apksigner:apksigner dexdump:dexdump zipalign:zipalign chromium:chromium pdftoppm:poppler-utils \
            node:nodejs; do
  cmd="${pair%%:*}"; pkg="${pair##*:}"
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || need+=(fonts-wqy-microhei)
[ -e /usr/share/android-framework-res/framework-res.apk ] || [ -e /usr/lib/android-sdk/platforms ] || need+=(android-framework-res)
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)

if [ "${#need[@]}" -gt 0 ]; then
  echo "system-deps: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# PostgreSQL: start the cluster if it is not answering; make sure 127.0.0.1 uses trust auth and `test` exists.
if command -v pg_ctlcluster >/dev/null 2>&1; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    ver="$(ls /etc/postgresql | sort -V | tail -1)"
    hba="/etc/postgresql/$ver/main/pg_hba.conf"
    if [ -f "$hba" ] && ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
      $SUDO sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    fi
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  if pg_isready -h 127.0.0.1 -p 5432 -q; then
    if ! psql -h 127.0.0.1 -U postgres -lqt 2>/dev/null | cut -d'|' -f1 | grep -qw test; then
      psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null 2>&1 || \
        $SUDO -u postgres psql -c "CREATE DATABASE test" >/dev/null 2>&1 || true
    fi
  else
    echo "system-deps: PostgreSQL is not answering on 127.0.0.1:5432; its tests will skip" >&2
  fi
fi
