#!/bin/sh
# deps.sh — install the Debian packages claimcheck needs to build and test,
# if any is missing. Runs apt-get as root (or through sudo).
set -e
PKGS="build-essential autoconf automake pkg-config libpcre2-dev libstemmer-dev libsqlite3-dev
libjansson-dev libxml2-dev libutf8proc-dev check sqlite3 time"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "Installing Debian packages:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
