"""``python -m stemma.spark reuse|dedup INPUT… OUTPUT [options]``: ``stemma reuse`` and
``stemma dedup`` on Spark."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from typing import Optional, Tuple


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m stemma.spark",
        description="stemma's Spark jobs. reuse: the clusters of `stemma reuse INPUT… --out`; "
        "dedup: the records of `stemma dedup INPUT… --out`; written as text part files whose "
        "concatenation equals the CLI's file.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("reuse", help="passages reused across a corpus, clustered (stemma reuse)")
    r.add_argument("paths", nargs="+", metavar="INPUT… OUTPUT", help="JSON Lines files or folders, or Parquet; then the output folder")
    r.add_argument("--master", default=None, help="Spark master (default: local[*], or spark-submit's)")
    r.add_argument("--partitions", type=int, default=None, help="shuffle partitions (default: 2 x default parallelism, or one per 64 MB of input when more)")
    r.add_argument("--threads", type=int, default=1, help="rayon threads per task (default 1: Spark runs one task per core)")
    r.add_argument("--anchor-ngram", type=int, default=3)
    r.add_argument("--min-df", type=int, default=2)
    r.add_argument("--max-df", type=int, default=100)
    r.add_argument("--min-shared", type=int, default=2)
    r.add_argument("--skip-same-series", action="store_true")
    r.add_argument("--min-overlap", type=float, default=0.8)
    r.add_argument("--min-anchor-density", type=float, default=0.0)
    r.add_argument("--ngram", type=int, default=None)
    r.add_argument("--min-words", type=int, default=None)
    r.add_argument("--max-gap", type=int, default=None)
    r.add_argument("--min-identity", type=float, default=None)
    r.add_argument("--no-sentence-seeds", action="store_true")
    r.add_argument("--all-alignments", action="store_true")
    r.add_argument("--max-bytes", type=int, default=64 << 20)
    r.add_argument(
        "--plan", choices=["auto", "single", "distributed"], default="auto",
        help="single: every stage in one task; distributed: each stage across the cluster; "
        "auto (default): single for inputs of at most 32 MB",
    )
    r.add_argument(
        "--driver-edges", type=int, default=None,
        help="graphs of at most this many alignment edges get their connected components on the driver "
        "(default 4000000; 0: always in rounds of shuffles)",
    )
    r.add_argument(
        "--align-memory", default=None,
        help="analyzed texts an alignment task holds at once (default 256M; about 8 bytes a byte of text), beside its block's texts",
    )
    r.add_argument("--driver-memory", default=None, help="spark.driver.memory (e.g. 4g)")
    d = sub.add_parser("dedup", help="near-duplicate documents, clustered around the one kept (stemma dedup)")
    d.add_argument("paths", nargs="+", metavar="INPUT… OUTPUT", help="JSON Lines files or folders, or Parquet; then the output folder")
    d.add_argument("--master", default=None, help="Spark master (default: local[*], or spark-submit's)")
    d.add_argument("--partitions", type=int, default=None, help="shuffle partitions (default: 2 x default parallelism)")
    d.add_argument("--threads", type=int, default=1, help="rayon threads per task (default 1: Spark runs one task per core)")
    d.add_argument("--threshold", type=float, default=0.8)
    d.add_argument("--ngram", type=int, default=5)
    d.add_argument("--num-perm", type=int, default=128)
    d.add_argument("--bands", type=int, default=None)
    d.add_argument("--keep", choices=["first", "earliest", "longest"], default="first")
    d.add_argument("--max-bytes", type=int, default=64 << 20)
    d.add_argument("--driver-memory", default=None, help="spark.driver.memory (e.g. 4g)")
    args = parser.parse_args(argv)
    if args.command == "dedup":
        return _dedup(args)
    if len(args.paths) < 2:
        parser.error("give INPUT… and OUTPUT")
    inputs, output = args.paths[:-1], args.paths[-1]

    from .. import StemmaError, _size
    from . import check_options, reuse
    from .reuse_job import SINGLE_TASK_BYTES, input_bytes

    try:
        check_options(min_df=args.min_df, max_df=args.max_df, min_overlap=args.min_overlap)
        if args.align_memory is not None:
            _size(args.align_memory)
        plan = args.plan
        if plan == "auto":
            plan = "single" if input_bytes(inputs) <= SINGLE_TASK_BYTES else "distributed"
    except StemmaError as e:
        print(f"stemma: {e}", file=sys.stderr)
        return 2

    spark = _session("stemma reuse", args, one_task=plan == "single")
    started = time.time()
    try:
        reuse(
            spark, inputs, output, partitions=args.partitions, threads=args.threads,
            anchor_ngram=args.anchor_ngram, min_df=args.min_df, max_df=args.max_df, min_shared=args.min_shared,
            skip_same_series=args.skip_same_series, min_overlap=args.min_overlap,
            min_anchor_density=args.min_anchor_density, ngram=args.ngram, min_words=args.min_words,
            max_gap=args.max_gap, min_identity=args.min_identity, sentence_seeds=not args.no_sentence_seeds, all_alignments=args.all_alignments,
            max_bytes=args.max_bytes, plan=plan, driver_edges=args.driver_edges,
            **({} if args.align_memory is None else {"align_memory": args.align_memory}),
        )
    except Exception as e:  # noqa: BLE001 — a task's StemmaError reaches here wrapped by Spark
        message = _stemma_error(e)
        if message is None:
            raise
        print(f"stemma: {message}", file=sys.stderr)
        return 2
    finally:
        elapsed = time.time() - started
    print(f"stemma.spark reuse: {output} written in {elapsed:.1f} s ({plan} plan)", file=sys.stderr)
    _stop(spark)
    return 0


#: The driver JVM's options for a job of one task (a small input), where the JVM's start
#: dominates: the client compiler only (C2's compilations would not pay back in seconds of
#: work and take a core from the task meanwhile) and the serial collector.
ONE_TASK_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def _stemma_error(e: BaseException):
    """The message of the :class:`stemma.StemmaError` behind ``e`` (raised here, or in a
    Spark task and wrapped in Spark's exception, traceback and all), or ``None``."""
    from .. import StemmaError

    if isinstance(e, StemmaError):
        return str(e)
    text = str(e)
    at = text.rfind("StemmaError: ")
    if at < 0:
        return None
    return text[at + len("StemmaError: ") :].splitlines()[0].strip()


def _session(app: str, args, one_task: bool = False):
    """The Spark session of a job: ``--master`` and ``--driver-memory`` when given. On
    ``local[N]`` started here (not by spark-submit), a JVM that maps the classes of an
    earlier run (:func:`_class_archive`) and, for a job of ``one_task`` (the single-task
    plan), one tuned to start quickly and no web UI (nothing to watch in one task).
    :func:`_stop` ends it."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app)
    # spark-submit started the JVM already (and passes its port): its options stand.
    master = args.master or ("" if os.environ.get("PYSPARK_GATEWAY_PORT") else "local")
    global _class_dump
    if master.startswith("local"):
        archive, _class_dump = _class_archive()
        options = (ONE_TASK_JVM_OPTIONS + " " + archive) if one_task else archive
        if one_task:
            builder = builder.config("spark.ui.enabled", "false")
        if options.strip():
            builder = builder.config("spark.driver.extraJavaOptions", options.strip())
    if args.master:
        builder = builder.master(args.master)
    if args.driver_memory:
        builder = builder.config("spark.driver.memory", args.driver_memory)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


#: Where this run's JVM writes its class archive when it exits (:func:`_class_archive`), and
#: where the archive goes once written; ``None`` when it writes none.
_class_dump: Optional[Tuple[str, str]] = None


def _class_archive() -> Tuple[str, Optional[Tuple[str, str]]]:
    """The driver JVM's options to map the classes an earlier run of the same Java and
    PySpark loaded (a dynamic CDS archive, ``~/.cache/stemma``): Spark's thousands of
    classes are then not read from the jars and verified again, seconds of a job's start.
    With no archive yet, the options make this run's JVM write one as it exits, and the
    second value is where it writes and where the archive goes (:func:`_stop` moves it there
    once the JVM has exited: a partly written archive would crash the next JVM).
    ``STEMMA_SPARK_CLASS_ARCHIVE=0`` turns it off."""
    import hashlib
    import shutil

    import pyspark

    if os.environ.get("STEMMA_SPARK_CLASS_ARCHIVE", "1") == "0":
        return "", None
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java")
    if not java or not os.path.exists(java):
        return "", None
    java = os.path.realpath(java)
    # The archive holds classes of these jars as this JVM loaded them: any change, another.
    key = f"{java}\0{os.stat(java).st_mtime_ns}\0{pyspark.__version__}\0{os.path.dirname(pyspark.__file__)}"
    folder = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "stemma")
    archive = os.path.join(folder, f"spark-classes-{hashlib.sha256(key.encode()).hexdigest()[:16]}.jsa")
    # Its messages (classes it cannot hold) would go to the job's standard output.
    quiet = "-Xlog:cds=off -Xlog:cds+dynamic=off"
    if os.path.exists(archive):
        return f"-XX:SharedArchiveFile={archive} {quiet}", None
    try:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):  # dumps of runs that ended before moving theirs
            path = os.path.join(folder, name)
            if name.endswith(".jsa.tmp") and time.time() - os.path.getmtime(path) > 3600:
                os.remove(path)
    except OSError:
        return "", None
    dump = f"{archive}.{os.getpid()}.tmp"
    return f"-XX:ArchiveClassesAtExit={dump} {quiet}", (dump, archive)


def _stop(spark) -> None:
    """Stops ``spark``; when its JVM writes a class archive (:func:`_class_archive`), waits
    for the JVM to exit (once: the first run) and moves the archive into place."""
    from pyspark import SparkContext

    spark.stop()
    if _class_dump is None:
        return
    dump, archive = _class_dump
    proc = getattr(SparkContext._gateway, "proc", None)
    if proc is None:
        return
    try:
        proc.stdin.close()  # the gateway's JVM exits at the end of its standard input
        code = proc.wait(timeout=300)
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return  # a later run removes the dump (an hour old)
    try:
        if code == 0 and os.path.getsize(dump) > 0:
            os.replace(dump, archive)
        else:
            os.remove(dump)
    except OSError:
        pass


def _dedup(args) -> int:
    if len(args.paths) < 2:
        print("stemma: give INPUT… and OUTPUT", file=sys.stderr)
        return 2
    inputs, output = args.paths[:-1], args.paths[-1]

    from .. import StemmaError
    from . import check_dedup_options, dedup

    try:
        check_dedup_options(threshold=args.threshold, ngram=args.ngram, num_perm=args.num_perm, bands=args.bands, keep=args.keep)
    except StemmaError as e:
        print(f"stemma: {e}", file=sys.stderr)
        return 2

    spark = _session("stemma dedup", args)
    started = time.time()
    try:
        dedup(
            spark, inputs, output, threshold=args.threshold, ngram=args.ngram, num_perm=args.num_perm, bands=args.bands,
            keep=args.keep, partitions=args.partitions, threads=args.threads, max_bytes=args.max_bytes,
        )
    except Exception as e:  # noqa: BLE001 — a task's StemmaError reaches here wrapped by Spark
        message = _stemma_error(e)
        if message is None:
            raise
        print(f"stemma: {message}", file=sys.stderr)
        return 2
    print(f"stemma.spark dedup: {output} written in {time.time() - started:.1f} s", file=sys.stderr)
    _stop(spark)
    return 0


if __name__ == "__main__":
    sys.exit(main())
