#!/usr/bin/env bash
# Install passim (github.com/dasmiq/passim, the Viral Texts project's text-reuse tool) into a
# virtualenv, for `bench/reuse.sh a` to time it on the same corpus as `stemma reuse`.
#
# Usage:  bench/install-passim.sh [SOURCE]     SOURCE: a passim checkout or a pip URL
#         (default git+https://github.com/dasmiq/passim). Needs python3-venv and Java 17.
# Then:   PASSIM=$PASSIM_VENV/bin/passim bench/reuse.sh a
# Environment: PASSIM_VENV (bench/out/passim-venv).
#
# passim's `spark-submit --packages` downloads GraphFrames from Maven Central at run time;
# where that is unreachable, bench/reuse.sh falls back to bench/passim-shim (see there).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SOURCE=${1:-git+https://github.com/dasmiq/passim}
PASSIM_VENV=${PASSIM_VENV:-bench/out/passim-venv}
command -v java >/dev/null || { echo "install-passim: Java 17 is needed (apt-get install openjdk-17-jre-headless)" >&2; exit 2; }
python3 -m venv "$PASSIM_VENV"
"$PASSIM_VENV/bin/pip" install -q --upgrade pip
"$PASSIM_VENV/bin/pip" install -q "$SOURCE"
# passim 2.0.1 ships conf/log4j2.properties written in log4j 1 syntax ("log4j.level = WARN,
# console"), which Spark 4's log4j 2 rejects before the job starts ("No type attribute provided
# for component log4j"). Replace it with the same settings in log4j 2 syntax.
conf=$("$PASSIM_VENV/bin/python" -c 'import os, sys; print(os.path.join(sys.prefix, "conf", "log4j2.properties"))')
if [[ -f $conf ]] && grep -q '^log4j\.' "$conf"; then
    cat > "$conf" <<'LOG4J'
rootLogger.level = warn
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
logger.spark.name = org.apache.spark
logger.spark.level = warn
LOG4J
fi
echo "passim installed: $PASSIM_VENV/bin/passim ($("$PASSIM_VENV/bin/pip" list 2>/dev/null | grep -Ei '^(passim|pyspark|graphframes)' | tr -s ' ' | paste -sd ';'))"
