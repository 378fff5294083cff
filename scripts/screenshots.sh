#!/usr/bin/env bash
# Screenshots of the survey form on a phone (360 px) and a desktop (1280 px) viewport:
# builds, starts `serve --demo` on a free port with a throw-away database, and photographs the
# demo link with Debian's headless Chromium. Writes docs/screenshots/form-{phone,desktop}.png.
# Then signs in as the demo facilitator with curl (headless Chromium cannot post the form),
# saves the spring round's dashboard and the server's stylesheet as files, and photographs
# that: docs/screenshots/dashboard.png, and the round's partners with their status:
# docs/screenshots/partners.png. Last, shares the spring round's meeting report and prints
# it to PDF as a browser does (A4), keeping its first page: docs/screenshots/report-page1.png.
# And the spring round's paper form, printed the same way from the saved page:
# docs/screenshots/paper-form.png.
# And, for reflow (WCAG 1.4.10), in English and in Spanish, the form and the dashboard at 320 px
# and in a 1280-pixel window zoomed to 200 % (640 CSS px, two device pixels each):
# docs/screenshots/{form,dashboard}-{320,zoom200}-{en,es}.png.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null; then
  apt-get update && apt-get install -y chromium poppler-utils
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
english=$url
spanish=$(sed -n 's/^Answer it as a partner invited in Spanish: //p' "$work/out.txt")

shoot() { # width height file [device pixels per CSS pixel]
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d -p "$work")" --hide-scrollbars \
    --force-device-scale-factor="${4:-1}" \
    --window-size="$1,$2" --screenshot="$3" "$url" 2>/dev/null
}
reflow() { # name language: the page at $url at 320 px and at a 200 % zoom
  shoot 320 2400 "docs/screenshots/$1-320-$2.png"
  shoot 640 1600 "docs/screenshots/$1-zoom200-$2.png" 2
}
shoot 360 1800 docs/screenshots/form-phone.png
shoot 1280 1400 docs/screenshots/form-desktop.png

base="http://127.0.0.1:$port"
password=$(sed -n 's/.* with password \([0-9a-f]*\)).*/\1/p' "$work/out.txt")
[ -n "$password" ] || { echo "the demo server printed no facilitator password" >&2; exit 1; }
curl -fsS -c "$work/cookies" -o /dev/null \
  --data-urlencode "email=demo@partnerscope.example" --data-urlencode "password=$password" \
  "$base/facilitator/sign-in"
# The demo's second round (spring) has a previous round to compare with. The stylesheet is
# saved beside it: the server lets no other origin (a file, here) load its responses.
curl -fsS -b "$work/cookies" "$base/facilitator/rounds/2" |
  sed "s|href=\"/static/app.css\"|href=\"app.css\"|" >"$work/dashboard.html"
curl -fsS -o "$work/app.css" "$base/static/app.css"
url="file://$work/dashboard.html"
shoot 1280 4200 docs/screenshots/dashboard.png
for lang in en es; do
  if [ "$lang" = es ]; then url=$spanish; else url=$english; fi
  reflow form "$lang"
  # The page's language follows Accept-Language when no cookie chooses one.
  curl -fsS -b "$work/cookies" -H "Accept-Language: $lang" "$base/facilitator/rounds/2" |
    sed "s|href=\"/static/app.css\"|href=\"app.css\"|" >"$work/dashboard-$lang.html"
  url="file://$work/dashboard-$lang.html"
  reflow dashboard "$lang"
done
# The spring round's partners with their status: one has opened the demo link, nothing saved.
curl -fsS -o /dev/null "$(sed -n 's/^Answer the demo survey: //p' "$work/out.txt")"
curl -fsS -b "$work/cookies" "$base/facilitator/rounds/2/partners" |
  sed "s|href=\"/static/app.css\"|href=\"app.css\"|" >"$work/partners.html"
url="file://$work/partners.html"
shoot 1280 2600 docs/screenshots/partners.png

csrf=$(curl -fsS -b "$work/cookies" "$base/facilitator/rounds/2" |
  sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -fsS -b "$work/cookies" -o /dev/null --data "csrf=$csrf" "$base/facilitator/rounds/2/share"
share=$(curl -fsS -b "$work/cookies" "$base/facilitator/rounds/2" |
  sed -n 's/.*<code id="share-link">\([^<]*\)<.*/\1/p')
[ -n "$share" ] || { echo "the round page shows no share link" >&2; exit 1; }
chromium --headless --no-sandbox --disable-gpu --no-first-run --no-pdf-header-footer \
  --user-data-dir="$(mktemp -d -p "$work")" --print-to-pdf="$work/report.pdf" "$share" 2>/dev/null
pdftoppm -f 1 -l 1 -r 96 -png -singlefile "$work/report.pdf" docs/screenshots/report-page1

# The paper form of the spring round, first page as printed (the page and the stylesheet saved
# as files, as for the dashboard).
curl -fsS -b "$work/cookies" "$base/facilitator/rounds/2/paper?sheets=2" |
  sed "s|href=\"/static/app.css\"|href=\"app.css\"|" >"$work/paper.html"
chromium --headless --no-sandbox --disable-gpu --no-first-run --no-pdf-header-footer \
  --user-data-dir="$(mktemp -d -p "$work")" --print-to-pdf="$work/paper.pdf" \
  "file://$work/paper.html" 2>/dev/null
pdftoppm -f 1 -l 1 -r 96 -png -singlefile "$work/paper.pdf" docs/screenshots/paper-form
echo "wrote docs/screenshots/form-phone.png, form-desktop.png, dashboard.png, partners.png, report-page1.png, paper-form.png, and form-320-en.png to dashboard-zoom200-es.png"
