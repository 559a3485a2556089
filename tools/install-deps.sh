#!/usr/bin/env bash
# Installs the Debian packages swift-pth builds against, if any are missing.
set -euo pipefail
packages=(pkg-config libzip-dev libopenblas-dev libjpeg-dev libpng-dev libwebp-dev libtiff-dev libgif-dev libssl-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
