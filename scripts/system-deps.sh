#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the app and its tests need, only those missing. Used by `make test`/`make run`.
# Qt's offscreen and xcb platforms: libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 (+ a font);
# the packet tests read PDFs back with poppler's pdftotext and qpdf; the sync bundle tests use openssl cms;
# the headquarters tests start a throw-away PostgreSQL cluster of their own (initdb, pg_ctl: the postgresql server).
set -euo pipefail
needed=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 fonts-dejavu-core poppler-utils qpdf openssl
        postgresql)
# A real window on an X11 desktop (`make run`, the built program): Qt's xcb platform plugin and what it loads.
needed+=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xkb1 libxcb-shape0
         libxcb-randr0 libxkbcommon-x11-0)
command -v dpkg-query >/dev/null 2>&1 || { echo "system-deps: not a Debian-style system; install the equivalents of: ${needed[*]}"; exit 0; }
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "system-deps: installing ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
