#!/usr/bin/env bash
# Install the Debian packages the tests use, when they are missing:
#   chromium (browser tests), postgresql (the PostgreSQL run), qpdf and poppler-utils (PDF
#   checks), hyperfine (benchmarks), openssl (time-stamping authority in tests), dnsmasq-base
#   (a DNS server serving DKIM keys in tests; the binary only, no service), fonts-dejavu-core
#   (the pack PDF's fallback font, for text Typst's own fonts do not draw), nginx (a
#   reverse proxy the proxy tests start in a temporary folder; its own service is not used).
set -euo pipefail

need=()
command -v chromium >/dev/null || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v qpdf >/dev/null || need+=(qpdf)
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v openssl >/dev/null || need+=(openssl)
command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq-base)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
[ -x /usr/bin/time ] || need+=(time)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "system-deps: need root (or sudo) to install: ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
