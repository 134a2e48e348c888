#!/usr/bin/env bash
# Install the Debian system packages the browser tests need (Chromium for Playwright).
# Idempotent: does nothing when /usr/bin/chromium is already there.
# Runs apt-get as root, or through sudo when available.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
    echo "Chromium staat al op /usr/bin/chromium; niets te doen."
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "Chromium ontbreekt (/usr/bin/chromium) en dit script heeft root-rechten nodig." >&2
    echo "Voer uit als root: apt-get update && apt-get install -y --no-install-recommends chromium" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "apt-get niet gevonden: installeer Chromium met de pakketbeheerder van dit systeem," >&2
    echo "zodat /usr/bin/chromium bestaat (de browsertests gebruiken dat pad)." >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update
"${SUDO[@]}" apt-get install -y --no-install-recommends chromium
echo "Chromium geïnstalleerd: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
