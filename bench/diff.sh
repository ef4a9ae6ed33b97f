#!/usr/bin/env bash
# stemma diff speed: two ~1 MB versions of a numbered document, one core, beside
# `git diff --no-index --word-diff` on the same files in the same run; then the same new
# version as a pasted web page (bullets, commentary lines between the points).
#
# Options (environment): DATA (../shared/data), OUT (bench/out/diff), SIZE (bytes, 1000000),
# SEED (1), RUNS (best of, 3), TARGET (seconds, 1.0), CPU (core for taskset, 0).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-bench/out/diff}
SIZE=${SIZE:-1000000}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
TARGET=${TARGET:-1.0}
CPU=${CPU:-0}
mkdir -p "$OUT"
cargo build --release -q -p stemma

# v1: numbered points ("12.") and sections ("Section 3") made of Gutenberg paragraphs;
# v2: the same with known edits — 4 % removed, 2 % merged, 2 % split, 2 % moved, 15 % reworded,
# 2 % added — and renumbered, as a new version of a long plan would be.
python3 - "$DATA" "$OUT" "$SIZE" "$SEED" <<'PY'
import random, re, sys, pathlib
data, out, size, seed = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
paras = []
for f in sorted((data / "literature" / "gutenberg").glob("*.txt")):
    text = f.read_text(encoding="utf-8", errors="replace")
    for p in re.split(r"\n\s*\n", text):
        p = " ".join(p.split())
        if 120 <= len(p) <= 1200 and not re.match(r"^[\dIVXivx]+[.)]\s", p):
            paras.append(p)
rng.shuffle(paras)
points, total = [], 0
for p in paras:
    if total >= size:
        break
    points.append(p)
    total += len(p) + 8
vocab = [w for p in paras[-2000:] for w in p.split() if w.isalpha()]

def render(items):
    lines, section = [], 0
    for i, p in enumerate(items):
        if i % 40 == 0:
            section += 1
            lines.append(f"\nSection {section}\n")
        lines.append(f"{i + 1}. {p}")
    return "\n".join(lines) + "\n"

def reword(p):
    words = p.split()
    for _ in range(max(1, len(words) // 12)):
        j = rng.randrange(len(words))
        words[j] = rng.choice(vocab)
    return " ".join(words)

new, counts = [], dict(removed=0, merged=0, split=0, moved=0, reworded=0, added=0)
moved = []
i = 0
while i < len(points):
    p, r = points[i], rng.random()
    if r < 0.04:
        counts["removed"] += 1
    elif r < 0.06 and i + 1 < len(points):
        new.append(p + " " + points[i + 1]); counts["merged"] += 1; i += 1
    elif r < 0.08 and p.find(". ", len(p) // 3) > 0:
        k = p.find(". ", len(p) // 3) + 1
        new.extend([p[:k], p[k:].strip()]); counts["split"] += 1
    elif r < 0.10:
        moved.append(p); counts["moved"] += 1
    elif r < 0.25:
        new.append(reword(p)); counts["reworded"] += 1
    elif r < 0.27:
        new.append(p); new.append(rng.choice(paras[len(points):])); counts["added"] += 1
    else:
        new.append(p)
    i += 1
for p in moved:
    new.insert(rng.randrange(len(new) + 1), p)
def render_web(items):
    # The same new version as a web page pasted as text: bullets instead of numbers, one
    # paragraph per line, a commentary line after every fifth point.
    lines = []
    for i, p in enumerate(items):
        lines.append(f"• {p}")
        if i % 5 == 4:
            note = rng.choice(paras[len(points):])
            lines.append(note[: note.find(". ") + 1] if ". " in note else note)
    return "\n".join(lines) + "\n"

if not points:
    sys.exit(f"no Gutenberg paragraphs under {data}/literature/gutenberg (set DATA)")
(out / "v1.txt").write_text(render(points), encoding="utf-8")
(out / "v2.txt").write_text(render(new), encoding="utf-8")
(out / "v2-web.txt").write_text(render_web(new), encoding="utf-8")
print(f"generated v1 {len(points)} points, v2 {len(new)} points; planted: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
PY

A="$OUT/v1.txt"; B="$OUT/v2.txt"
echo "sizes: $(wc -c < "$A") and $(wc -c < "$B") bytes"

best() { # best wall time in seconds of RUNS runs of "$@" (stdout discarded)
  local best=999999 t
  for _ in $(seq "$RUNS"); do
    local s=$(date +%s.%N)
    "$@" > /dev/null || [ $? -eq 1 ]   # git diff exits 1 when files differ
    t=$(echo "$(date +%s.%N) - $s" | bc -l)
    best=$(echo "if ($t < $best) $t else $best" | bc -l)
  done
  printf '%.3f' "$best"
}

T_STEMMA=$(best taskset -c "$CPU" ${CARGO_TARGET_DIR:-target}/release/stemma diff --color never "$A" "$B")
T_JSON=$(best taskset -c "$CPU" ${CARGO_TARGET_DIR:-target}/release/stemma diff --json "$A" "$B")
T_GIT=$(best taskset -c "$CPU" git diff --no-index --word-diff "$A" "$B")
W="$OUT/v2-web.txt"
T_WEB=$(best taskset -c "$CPU" ${CARGO_TARGET_DIR:-target}/release/stemma diff --color never "$A" "$W")
T_GIT_WEB=$(best taskset -c "$CPU" git diff --no-index --word-diff "$A" "$W")
taskset -c "$CPU" ${CARGO_TARGET_DIR:-target}/release/stemma diff --color never "$A" "$B" | sed -n 2p | cut -c1-300
taskset -c "$CPU" ${CARGO_TARGET_DIR:-target}/release/stemma diff --color never "$A" "$W" | sed -n 2p | cut -c1-300
RSS=$( { /usr/bin/time -f '%M' taskset -c "$CPU" ${CARGO_TARGET_DIR:-target}/release/stemma diff --json "$A" "$B" > /dev/null; } 2>&1 | tail -1)

printf '\n%-46s %8s\n' "command (one core, best of $RUNS)" "seconds"
printf '%-46s %8s\n' "stemma diff (terminal)" "$T_STEMMA"
printf '%-46s %8s\n' "stemma diff --json" "$T_JSON"
printf '%-46s %8s\n' "git diff --no-index --word-diff" "$T_GIT"
printf '%-46s %8s\n' "stemma diff, v2 bulleted with commentary" "$T_WEB"
printf '%-46s %8s\n' "git diff --word-diff, same files" "$T_GIT_WEB"
RATIO=$(echo "$T_STEMMA / $T_GIT" | bc -l)
printf 'ratio stemma / git word-diff: %.2f; peak RSS of stemma: %s KiB\n' "$RATIO" "$RSS"
if (( $(echo "$T_STEMMA < $TARGET && $T_WEB < $TARGET" | bc -l) )); then
  echo "target: < ${TARGET} s on one core — met"
else
  echo "target: < ${TARGET} s on one core — MISSED"
  [ "${STRICT:-0}" = 1 ] && exit 3
fi
