#!/usr/bin/env bash
# Load test of `stemma serve` on loopback (not part of CI): wrk, 50 connections for 30 s
# against POST /api/compare and POST /api/trace. Prints requests/s, p50/p99 latency, errors
# (must be 0) and the server's RSS before, between and after the runs (it must not grow
# without bound: the second compare run must not end much higher than the first).
#
#   bench/serve-load.sh                 # release build, 30 s per run
#   DURATION=10s CONNECTIONS=20 bench/serve-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
PORT=${PORT:-17878}

if ! command -v wrk >/dev/null || ! command -v curl >/dev/null; then
    echo "== installing wrk and curl (Debian)"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk curl
fi
if [ -z "${STEMMA_BIN:-}" ]; then
    cargo build --release -p stemma
    STEMMA_BIN=${CARGO_TARGET_DIR:-target}/release/stemma
fi

work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

base="http://127.0.0.1:$PORT"
"$STEMMA_BIN" serve --bind "127.0.0.1:$PORT" --index "$work/index" 2>"$work/server.log" &
server=$!
for _ in $(seq 100); do
    curl -fsS "$base/api/openapi.json" >/dev/null 2>&1 && break
    sleep 0.1
done

rss() { awk '/^VmRSS/ {print $2 " kB"}' "/proc/$server/status"; }

# Request bodies from the bundled licenses: compare GPL-2 with LGPL-2.1 (two whole texts,
# ~45 KB); trace a draft that mixes paragraphs of several licenses with its own words
# against a corpus of the licenses.
python3 - "$work" <<'PY'
import json, sys, pathlib
work = pathlib.Path(sys.argv[1])
gpl = pathlib.Path("examples/GPL-2.txt").read_text()
lgpl = pathlib.Path("examples/LGPL-2.1.txt").read_text()
fx = pathlib.Path("crates/stemma-diff/tests/fixtures")
corpus = [{"id": "GPL-2.txt", "date": "1991-06-01", "text": gpl},
          {"id": "LGPL-2.1.txt", "date": "1999-02-01", "text": lgpl}]
for name in ["Apache-1.1.txt", "Apache-2.0.txt", "MPL-1.1.txt", "MPL-2.0.txt",
             "constitution.1.7.txt", "gpl-2.0-2005-gnu.org.txt"]:
    corpus.append({"id": name, "text": (fx / name).read_text()})
(work / "corpus.json").write_text(json.dumps({"documents": corpus}))
(work / "compare.json").write_text(json.dumps({"a": {"text": gpl, "title": "GPL-2"}, "b": {"text": lgpl, "title": "LGPL-2.1"}}))
paras = lambda t: [p for p in t.split("\n\n") if len(p) > 200]
draft = "\n\n".join(["Our memo opens with words of its own about software procurement in the ministry."]
                    + paras(gpl)[2:5] + ["Then a paragraph that nobody else wrote, about budgets."]
                    + paras((fx / "Apache-2.0.txt").read_text())[3:5])
(work / "trace.json").write_text(json.dumps({"doc": {"text": draft, "title": "draft"}, "top": 10}))
PY
curl -fsS -H 'Content-Type: application/json' --data-binary @"$work/corpus.json" "$base/api/documents" \
    | python3 -c 'import json,sys; r=json.load(sys.stdin); print("corpus:", r["added"], "documents")'

cat >"$work/report.lua" <<'LUA'
local f = io.open(os.getenv("BODY"), "rb"); wrk.body = f:read("*a"); f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("  requests/s %.1f   p50 %.1f ms   p99 %.1f ms   requests %d   errors %d (connect %d, read %d, write %d, timeout %d, non-2xx %d)\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect + e.read + e.write + e.timeout + e.status, e.connect, e.read, e.write, e.timeout, e.status))
end
LUA

run() {
    local name=$1 body=$2
    echo "== $name: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (server RSS before: $(rss))"
    BODY="$body" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 30s -s "$work/report.lua" \
        "$base/api/$name" | grep -E '^  requests/s'
    echo "   server RSS after: $(rss)"
}

echo "machine: $(nproc) cores; server: $STEMMA_BIN"
run compare "$work/compare.json"
run trace "$work/trace.json"
run compare "$work/compare.json"
