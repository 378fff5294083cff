#!/usr/bin/env bash
# Screenshots of the survey form on a phone (360 px) and a desktop (1280 px) viewport:
# builds, starts `serve --demo` on a free port with a throw-away database, and photographs the
# demo link with Debian's headless Chromium. Writes docs/screenshots/form-{phone,desktop}.png.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
  apt-get update && apt-get install -y chromium
fi

cargo build --release
work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./target/release/partnerscope serve --demo --addr "127.0.0.1:$port" \
  --database-url "sqlite://$work/demo.db" >"$work/out.txt" 2>"$work/log.txt" &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

for _ in $(seq 1 100); do
  grep -q 'Answer the demo survey' "$work/out.txt" && break
  sleep 0.1
done
url=$(sed -n 's/^Answer the demo survey: //p' "$work/out.txt")
[ -n "$url" ] || { echo "the demo server printed no link" >&2; cat "$work/log.txt" >&2; exit 1; }

shoot() { # width height file
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d -p "$work")" --hide-scrollbars \
    --window-size="$1,$2" --screenshot="$3" "$url" 2>/dev/null
}
shoot 360 1800 docs/screenshots/form-phone.png
shoot 1280 1400 docs/screenshots/form-desktop.png
echo "wrote docs/screenshots/form-phone.png and docs/screenshots/form-desktop.png"
