"""All cores: ``glossator translate`` with one worker vs all cores, vs raw CTranslate2's best on the same cores.

    python benchmarks/bench_scale.py [--lines 2000] [--model realistic|small|test|PATH] [--rounds 1] [--ray]
                                     [--no-intra] [--settle S]

On the first ``--lines`` German lines of newstest2019 (``../shared/data/wmt``; without it the newstest2020/2021
excerpts in ``tests/data/wmt``, 320 lines, repeated up to ``--lines``), beam 4, no translation memory:

- Glossator in a fresh process (``Translator(workers=W).translate_files([FILE], OUT, fmt="lines")``, what
  ``glossator translate FILE -o OUT --workers W`` runs; no memory) for W = 1, W = the machine's default
  (:func:`glossator.common.settings.available_cores`, or ``--workers``) and, for comparison, one worker with W
  intra-op threads: sentences/s over the timed call (reading, splitting, decoding, rendering, writing; the model
  loaded and SoMaJo warmed up before, as in ``bench_realistic.py``), peak RSS of the process and every child
  it starts (each one's VmHWM, summed; CTranslate2's workers are threads, so there is one process), CPU seconds
  of the timed call (CPU / wall = the cores it got), and whether the output is byte for byte one worker's;
- raw CTranslate2 on the same package and cores, in a fresh process, timing only ``translate_batch`` on the
  lines already encoded, for each of three set-ups: ``inter_threads=W`` with 2,048-token batches and with
  256-token batches (one call, CTranslate2 spreads its batches over the workers), and ``intra_threads=W`` with
  2,048-token batches; the best of the three is "raw's best";
- where the difference to raw goes, in a fresh process: the engine alone (``CT2Engine.translate`` with the
  pipeline's one-length batches and the pipeline's calls of ``CHUNK_SENTENCES`` sentences, on the lines already
  split into sentences, W workers) against raw, and the CPU seconds of the sentence split (SoMaJo) over the input,
  which the pipeline does on one core before the engine starts;
- peak memory vs input size: the distinct lines repeated to 2,000, 20,000 and 200,000 lines (``--memory-lines``),
  ``glossator translate`` with W workers and a translation memory that a first run over the distinct lines
  filled. Each run reads every line, takes its sentence split and translation from the memory, renders and
  writes the whole output; it decodes nothing, so the model is never loaded: this is the memory that grows with
  the input (a real translation adds the model and the batches in flight, flat in the input size: the rows
  above). SoMaJo would take about 10 minutes here to split 200,000 fresh lines, hence the primed memory.

Rounds alternate one worker, W workers and raw (this machine is shared and its speed drifts; the two intra-op
set-ups, never the fastest, run in the first round only); each speed is its
configuration's best round, the least disturbed one (the JSON also has the totals over all rounds); each run
prints its CPU seconds and the 1-minute load average before and after it. ``--settle S``: before each run, wait up
to S seconds for one second in which the machine's CPUs are at least 85% idle (the idle share seen is recorded),
so that fewer runs share their cores with other jobs. Sentences per CPU second (the work per sentence, which other
jobs change little) are reported beside the speeds. Writes
``benchmarks/results/scale_<model>.json`` and prints a table with the issue's targets:
W workers >= 1.7x one worker's speed at <= 1.3x its peak memory, and >= 0.9x raw CTranslate2's best; with ``--ray``,
the local Ray instance >= 0.85x the in-process speed on the same cores. Children print their timings on a line of
their own, ``RESULT {json}`` (Ray's processes may write to the same stdout).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

SHARED_WMT = REPO.parent / "shared" / "data" / "wmt" / "newstest2019.de-en.de"
EXCERPTS = [REPO / "tests" / "data" / "wmt" / f"newstest20{year}.de-en.de" for year in (20, 21)]
MODELS = {
    "small": REPO / "models" / "de_en_small" / "de_en_glossator_small.argosmodel",
    "test": REPO / "tests" / "model" / "de_en_glossator_test.argosmodel",
}
RESULTS = REPO / "benchmarks" / "results"
BEAM = 4
TARGETS = {
    "ray_vs_in_process": (">=", 0.85),
    "speedup_vs_one_worker": (">=", 1.7),
    "peak_rss_vs_one_worker": ("<=", 1.3),
    "workers_vs_raw_best": (">=", 0.9),
}

# Raw CTranslate2 in a fresh process: the model loaded and the lines encoded first, then only translate_batch timed.
RAW_CHILD = textwrap.dedent(
    """
    import json, os, sys, time
    import ctranslate2, sentencepiece
    package, source, inter, intra, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    translator = ctranslate2.Translator(
        package + "/model", device="cpu", inter_threads=inter, intra_threads=intra
    )
    sp = sentencepiece.SentencePieceProcessor(model_file=package + "/sentencepiece.model")
    batch = [sp.encode(s, out_type=str) for s in open(source, encoding="utf-8").read().splitlines()]
    translator.translate_batch(batch[:2], beam_size=4)
    cpu, start = time.process_time(), time.perf_counter()
    translator.translate_batch(batch, beam_size=4, length_penalty=1.0, max_batch_size=size, batch_type="tokens")
    result = {"seconds": time.perf_counter() - start, "cpu_s": time.process_time() - cpu}
    print("\\nRESULT " + json.dumps(result), flush=True)
    """
)


# Glossator in a fresh process, through the library's file path (what ``glossator translate FILE -o OUT`` calls):
# the model loaded and SoMaJo warmed up by one sentence first, then translate_files timed (reading, splitting,
# decoding, rendering, writing); no translation memory.
GLOSSATOR_CHILD = textwrap.dedent(
    """
    import json, sys, time
    from glossator.api import Translator
    from glossator.common.settings import DecodeOptions, Settings
    package, source, out, workers, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    ray = sys.argv[6] if len(sys.argv) > 6 else None
    settings = Settings.from_env(threads=threads, decode=DecodeOptions(beam_size=4))
    with Translator(model=package, settings=settings, use_memory=False, workers=workers, ray=ray) as translator:
        translator.translate("Guten Morgen. Wie geht es?")
        if ray:
            translator.engine.actor_pids()  # every decoder up and its model loaded before the clock starts
        cpu, start = time.process_time(), time.perf_counter()
        translator.translate_files([source], out, force=True, fmt="lines")
        result = {"seconds": time.perf_counter() - start, "cpu_s": time.process_time() - cpu}
    print("\\nRESULT " + json.dumps(result), flush=True)
    """
)


# The engine alone in a fresh process: the lines split into sentences first (the split's CPU seconds reported), then
# only the engine timed, with the pipeline's unique sentences, one-length batches and calls of CHUNK_SENTENCES.
ENGINE_CHILD = textwrap.dedent(
    """
    import json, sys, time
    from glossator.common.settings import DecodeOptions, Settings
    from glossator.translate import pipeline
    from glossator.translate.engine import load_engine
    from glossator.translate.segment import sentence_spans
    package, source, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    settings = Settings.from_env(threads=1, decode=DecodeOptions(beam_size=4), model=package).with_(workers=workers)
    engine = load_engine(settings)
    engine.translate(["Guten Morgen.", "Wie geht es?"])
    sentence_spans("Guten Morgen. Wie geht es?")
    lines = open(source, encoding="utf-8").read().splitlines()
    cpu = time.process_time()
    sentences = list(dict.fromkeys(line[a:b] for line in lines for a, b in sentence_spans(line)))
    split_cpu = time.process_time() - cpu
    chunk = getattr(pipeline, "CHUNK_SENTENCES", None) or len(sentences)
    cpu, start = time.process_time(), time.perf_counter()
    for first in range(0, len(sentences), chunk):
        engine.translate(sentences[first : first + chunk], same_length=True)
    seconds = time.perf_counter() - start
    result = {"seconds": seconds, "cpu_s": time.process_time() - cpu, "split_cpu_s": split_cpu,
              "sentences": len(sentences), "chunk": chunk}
    print("\\nRESULT " + json.dumps(result), flush=True)
    """
)


def settle(limit: float) -> float | None:
    """Wait up to *limit* seconds for one second in which the CPUs are at least 85% idle; the last idle share seen
    (None without /proc/stat or when *limit* is 0)."""

    def times() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, total

    if limit <= 0 or not os.path.exists("/proc/stat"):
        return None
    deadline, idle_share = time.monotonic() + limit, 0.0
    while True:
        idle0, total0 = times()
        time.sleep(1.0)
        idle1, total1 = times()
        idle_share = (idle1 - idle0) / max(1, total1 - total0)
        if idle_share >= 0.85 or time.monotonic() >= deadline:
            return round(idle_share, 2)


def child_result(stdout: str) -> dict[str, Any]:
    """The ``RESULT {json}`` line a child printed (Ray's processes may write to the same stdout after it)."""
    lines = [line for line in stdout.splitlines() if "RESULT {" in line]
    if not lines:
        raise SystemExit(f"a benchmark child printed no RESULT line:\n{stdout[-2000:]}")
    return dict(json.loads(lines[-1].split("RESULT ", 1)[1]))


def _peak_rss_kb(pid: int) -> int:
    """VmHWM of *pid*: the peak resident set of its current program (reset at exec, unlike ``ru_maxrss``)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_child(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run *argv*: wall seconds, the summed peak RSS (MB) of the process and all its children (psutil finds them,
    every 20 ms; each one's VmHWM counts once), stdout, and the load average before and after."""
    import psutil

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        peaks: dict[int, int] = {}
        parent = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                tree = [parent, *parent.children(recursive=True)]
            except psutil.Error:
                tree = [parent]
            for member in tree:
                peaks[member.pid] = max(peaks.get(member.pid, 0), _peak_rss_kb(member.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} … failed ({proc.returncode}):\n{stderr[-3000:]}")
    return {
        "wall_s": wall,
        "peak_rss_mb": sum(peaks.values()) / 1024,
        "processes": len(peaks),
        "stdout": stdout,
        "stderr": stderr,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def source_lines(count: int) -> tuple[list[str], str]:
    if SHARED_WMT.exists():
        lines = SHARED_WMT.read_text(encoding="utf-8").splitlines()
        origin = f"first {min(count, len(lines))} lines of {SHARED_WMT.name}"
    else:
        lines = [line for path in EXCERPTS for line in path.read_text(encoding="utf-8").splitlines()]
        origin = f"tests/data/wmt excerpts ({len(lines)} lines: newstest2020 and 2021)"
        if count > len(lines):
            origin += f", repeated to {count}"
            lines = (lines * (count // len(lines) + 1))[:count]
    lines = [line for line in lines if line.strip()][:count]
    return lines, origin


def main() -> int:
    from glossator.common.settings import available_cores

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000, help="German lines to translate (default 2000)")
    parser.add_argument(
        "--model", default="realistic", help="realistic (benchmarks/realistic_model.py), small, test, or a package"
    )
    parser.add_argument("--workers", type=int, default=available_cores(), help="the 'all cores' run (default: all)")
    parser.add_argument("--rounds", type=int, default=1, help="alternating one-worker / all-cores / raw rounds")
    parser.add_argument(
        "--no-intra",
        action="store_true",
        help="skip the intra-op thread set-ups (Glossator's and raw's; never the fastest, and the slowest to run)",
    )
    parser.add_argument(
        "--memory-lines", type=int, nargs="*", default=[2000, 20000, 200000], help="input sizes for the memory series"
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="where scale_<model>.json goes")
    parser.add_argument(
        "--settle", type=float, default=0.0, help="wait up to S seconds for an idle second before each run"
    )
    parser.add_argument(
        "--ray",
        action="store_true",
        help="also a local Ray instance with --workers decoder actors (needs glossator[ray]); its time excludes "
        "Ray's start-up, its memory includes Ray's own processes",
    )
    args = parser.parse_args()
    if args.workers < 1 or args.lines < 1 or args.rounds < 1:
        parser.error("--workers, --lines and --rounds must be positive")
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731

    if args.model == "realistic":
        from realistic_model import DEFAULT_CACHE, build_package

        _, zip_path = build_package(DEFAULT_CACHE, log=log)
        label = "realistic"
    elif args.model in MODELS:
        zip_path, label = MODELS[args.model], args.model
    else:
        zip_path = Path(args.model)
        label = zip_path.stem
        if not zip_path.exists():
            parser.error(f"--model {args.model}: no such package; give realistic, small, test or a .argosmodel path")

    work = Path(tempfile.mkdtemp(prefix="glossator-scale-"))
    xdg = {name: str(work / name.lower()) for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
    os.environ.update(ARGOS_PACKAGES_DIR=str(work / "packages"), GLOSSATOR_CACHE_DIR=str(work / "cache"), **xdg)
    os.environ.pop("GLOSSATOR_WORKERS", None)
    from glossator.common.settings import Settings
    from glossator.models.packages import install_package

    installed = install_package(zip_path, Settings.from_env())
    package = str(installed.path)
    lines, origin = source_lines(args.lines)
    source = work / "scale.de.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ}
    glossator_bin = str(Path(sys.executable).with_name("glossator"))
    workers = args.workers

    def glossator_run(count: int, threads: int = 1, ray: str | None = None) -> dict[str, Any]:
        out = work / f"out-{count}x{threads}{'-ray' if ray else ''}.en.txt"
        argv = [sys.executable, "-c", GLOSSATOR_CHILD, package, str(source), str(out), str(count), str(threads)]
        argv += [ray] if ray else []
        idle = settle(args.settle)
        child = run_child(argv, env)
        report = child_result(child["stdout"])
        seconds = report["seconds"]
        return {
            "workers": count,
            "threads": threads,
            "seconds": seconds,
            "sentences_per_s": len(lines) / seconds,
            "wall_s": child["wall_s"],
            "peak_rss_mb": child["peak_rss_mb"],
            "processes": child["processes"],
            "cpu_s": report["cpu_s"],
            "load": [round(child["load_before"], 2), round(child["load_after"], 2)],
            "idle_before": idle,
            "output": out.read_bytes(),
        }

    raw_setups = [("inter", workers, 1, 2048), ("inter", workers, 1, 256), ("intra", 1, workers, 2048)]

    def raw_run(inter: int, intra: int, size: int) -> dict[str, Any]:
        idle = settle(args.settle)
        child = run_child(
            [sys.executable, "-c", RAW_CHILD, package, str(source), str(inter), str(intra), str(size)], env
        )
        report = child_result(child["stdout"])
        return {
            "inter_threads": inter,
            "intra_threads": intra,
            "max_batch_tokens": size,
            "seconds": report["seconds"],
            "sentences_per_s": len(lines) / report["seconds"],
            "cpu_s": report["cpu_s"],
            "peak_rss_mb": child["peak_rss_mb"],
            "load": [round(child["load_before"], 2), round(child["load_after"], 2)],
            "idle_before": idle,
        }

    def engine_run(count: int) -> dict[str, Any]:
        idle = settle(args.settle)
        child = run_child([sys.executable, "-c", ENGINE_CHILD, package, str(source), str(count)], env)
        report = child_result(child["stdout"])
        return {
            "workers": count,
            "seconds": report["seconds"],
            "sentences_per_s": len(lines) / report["seconds"],
            "cpu_s": report["cpu_s"],
            "split_cpu_s": report["split_cpu_s"],
            "sentences": report["sentences"],
            "call_size": report["chunk"],
            "peak_rss_mb": child["peak_rss_mb"],
            "load": [round(child["load_before"], 2), round(child["load_after"], 2)],
            "idle_before": idle,
        }

    one_runs: list[dict[str, Any]] = []
    many_runs: list[dict[str, Any]] = []
    intra_runs: list[dict[str, Any]] = []
    ray_runs: list[dict[str, Any]] = []
    engine_runs: list[dict[str, Any]] = []
    raw_runs: dict[str, list[dict[str, Any]]] = {f"{kind} {a}x{b} {size}": [] for kind, a, b, size in raw_setups}
    for round_ in range(args.rounds):
        log(f"round {round_ + 1}: glossator translate --workers 1, {len(lines)} lines …")
        one_runs.append(glossator_run(1))
        log(f"round {round_ + 1}: glossator translate --workers {workers} …")
        many_runs.append(glossator_run(workers))
        if workers > 1 and round_ == 0 and not args.no_intra:  # intra-op threads (here and raw's) once: slow
            log(f"round {round_ + 1}: glossator translate --workers 1 --threads {workers} (intra-op threads instead) …")
            intra_runs.append(glossator_run(1, workers))
        if args.ray:
            log(f"round {round_ + 1}: glossator translate --ray local --workers {workers} …")
            ray_runs.append(glossator_run(workers, ray="local"))
        log(f"round {round_ + 1}: the engine alone, {workers} workers, the pipeline's calls …")
        engine_runs.append(engine_run(workers))
        for kind, inter, intra, size in raw_setups if round_ == 0 and not args.no_intra else raw_setups[:2]:
            log(f"round {round_ + 1}: raw CTranslate2, {inter} inter x {intra} intra threads, {size}-token batches")
            raw_runs[f"{kind} {inter}x{intra} {size}"].append(raw_run(inter, intra, size))

    identical = all(run["output"] == one_runs[0]["output"] for run in one_runs + many_runs)
    ray_identical = all(run["output"] == one_runs[0]["output"] for run in ray_runs)
    intra_identical = all(run["output"] == one_runs[0]["output"] for run in intra_runs)

    def speed(runs: list[dict[str, Any]], key: str = "seconds") -> float:
        """The best round's sentences/s: on a shared machine the fastest round is the least disturbed one."""
        return len(lines) / min(run[key] for run in runs)

    def total_speed(runs: list[dict[str, Any]], key: str = "seconds") -> float:
        return len(lines) * len(runs) / sum(run[key] for run in runs)

    one_speed, many_speed = speed(one_runs), speed(many_runs)
    raw_runs = {name: runs for name, runs in raw_runs.items() if runs}  # --no-intra: intra's never ran
    raw_speeds = {name: speed(runs) for name, runs in raw_runs.items()}
    raw_best_name = max(raw_speeds, key=raw_speeds.__getitem__)
    one_peak = max(run["peak_rss_mb"] for run in one_runs)
    many_peak = max(run["peak_rss_mb"] for run in many_runs)
    rows = {
        "one_worker_sentences_per_s": one_speed,
        "workers_sentences_per_s": many_speed,
        "speedup_vs_one_worker": many_speed / one_speed,
        "one_worker_peak_rss_mb": one_peak,
        "workers_peak_rss_mb": many_peak,
        "peak_rss_vs_one_worker": many_peak / one_peak,
        "raw_best_sentences_per_s": raw_speeds[raw_best_name],
        "workers_vs_raw_best": many_speed / raw_speeds[raw_best_name],
    }
    if ray_runs:
        rows["ray_sentences_per_s"] = speed(ray_runs)
        rows["ray_vs_in_process"] = speed(ray_runs) / many_speed
        rows["ray_peak_rss_mb_all_processes"] = max(run["peak_rss_mb"] for run in ray_runs)
    rows["engine_only_sentences_per_s"] = speed(engine_runs)
    rows["engine_only_vs_raw_best"] = speed(engine_runs) / raw_speeds[raw_best_name]
    rows["sentence_split_cpu_s"] = min(run["split_cpu_s"] for run in engine_runs)
    if intra_runs:
        rows["intra_threads_sentences_per_s"] = speed(intra_runs)
        rows["intra_threads_peak_rss_mb"] = max(run["peak_rss_mb"] for run in intra_runs)

    # Work per sentence, which other jobs on the machine do not change: sentences per CPU second (best round).
    def per_cpu(runs: list[dict[str, Any]]) -> float:
        return len(lines) / min(run["cpu_s"] for run in runs)

    rows["one_worker_sentences_per_cpu_s"] = per_cpu(one_runs)
    rows["workers_sentences_per_cpu_s"] = per_cpu(many_runs)
    if intra_runs:
        rows["intra_threads_sentences_per_cpu_s"] = per_cpu(intra_runs)
    rows["engine_only_sentences_per_cpu_s"] = per_cpu(engine_runs)
    rows["raw_best_sentences_per_cpu_s"] = max(per_cpu(runs) for runs in raw_runs.values())
    rows["workers_vs_raw_best_per_cpu_s"] = rows["workers_sentences_per_cpu_s"] / rows["raw_best_sentences_per_cpu_s"]
    if ray_runs:  # the driver's CPU only: the decoders are other processes
        rows["ray_driver_cpu_s"] = min(run["cpu_s"] for run in ray_runs)

    # --- Peak memory vs input size (a primed translation memory; see the module docstring) -----------------------
    memory_series = []
    if args.memory_lines:
        log("memory series: filling the translation memory with the distinct lines …")
        prime = [glossator_bin, "translate", str(source), "-o", str(work / "prime.en.txt"), "--quiet"]
        run_child([*prime, "--format", "lines", "--beam-size", str(BEAM), "--workers", str(workers)], env)
    for size in args.memory_lines:
        big = work / f"repeat-{size}.de.txt"
        repeated = (lines * (size // len(lines) + 1))[:size]
        big.write_text("\n".join(repeated) + "\n", encoding="utf-8")
        log(f"memory series: {size} lines …")
        argv = [glossator_bin, "translate", str(big), "-o", str(work / "repeat.en.txt"), "--force", "--quiet"]
        child = run_child([*argv, "--format", "lines", "--beam-size", str(BEAM), "--workers", str(workers)], env)
        memory_series.append(
            {
                "lines": size,
                "wall_s": round(child["wall_s"], 2),
                "peak_rss_mb": round(child["peak_rss_mb"], 1),
                "load": [round(child["load_before"], 2), round(child["load_after"], 2)],
            }
        )
        big.unlink()

    # --- Report ----------------------------------------------------------------------------------------------------
    verdicts = {}
    for key, (op, bound) in TARGETS.items():
        if key in rows:  # the Ray row only with --ray
            verdicts[key] = rows[key] >= bound if op == ">=" else rows[key] <= bound
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"\n{origin}; beam {BEAM}; model {label} ({zip_path.name}); {workers} workers = the machine's")
    print(f"physical cores ({cpus} CPUs usable); {args.rounds} round(s); load average 1 min before/after each run")
    print(f"{'measure':34} {'value':>10}   target")
    for key, value in rows.items():
        target = ""
        if key in TARGETS:
            op, bound = TARGETS[key]
            target = f"{op} {bound}  {'ok' if verdicts[key] else 'MISSED'}"
        print(f"{key:34} {value:10.3f}   {target}")
    print(f"output of {workers} workers byte-identical to one worker's: {'yes' if identical else 'NO'}")
    if ray_runs:
        print(f"output through Ray byte-identical to one worker's: {'yes' if ray_identical else 'NO'}")
    same = "yes" if intra_identical else "NO"
    print(f"output of --workers 1 --threads {workers} byte-identical to one worker's: {same}")
    for name, runs in (
        ("glossator --workers 1", one_runs),
        (f"glossator --workers {workers}", many_runs),
        (f"glossator --workers 1 --threads {workers}", intra_runs),
        (f"glossator --ray local --workers {workers}", ray_runs),
        (f"engine alone, {workers} workers", engine_runs),
    ):
        for run in runs:
            print(
                f"  {name:34} {run['sentences_per_s']:7.2f} sentences/s  CPU {run['cpu_s']:6.1f} s "
                f"({run['cpu_s'] / run['seconds']:.2f} cores)  peak {run['peak_rss_mb']:5.0f} MB  load {run['load']}"
                f"  idle before {run['idle_before']}"
            )
    for name, runs in raw_runs.items():
        for run in runs:
            print(
                f"  raw {name:30} {run['sentences_per_s']:7.2f} sentences/s  CPU {run['cpu_s']:6.1f} s "
                f"({run['cpu_s'] / run['seconds']:.2f} cores)  peak {run['peak_rss_mb']:5.0f} MB  load {run['load']}"
                f"  idle before {run['idle_before']}"
            )
    print(f"raw's best: {raw_best_name} (inter/intra threads, batch tokens)")
    engine_calls = engine_runs[0]["call_size"]
    print(
        f"engine alone: {engine_runs[0]['sentences']} unique sentences in calls of {engine_calls}; the sentence split "
        f"took {rows['sentence_split_cpu_s']:.2f} CPU s on one core before the engine starts"
    )
    if memory_series:
        print(f"peak memory vs input size ({workers} workers, primed translation memory, nothing decoded):")
        for point in memory_series:
            print(f"  {point['lines']:>7} lines  {point['peak_rss_mb']:6.0f} MB  wall {point['wall_s']:6.1f} s")

    import ctranslate2

    args.results.mkdir(parents=True, exist_ok=True)
    strip = lambda runs: [{k: v for k, v in run.items() if k != "output"} for run in runs]  # noqa: E731
    payload = {
        "date": datetime.date.today().isoformat(),
        "machine": {
            "cpus_usable": cpus,
            "physical_cores": available_cores(),
            "processor": platform.processor() or platform.machine(),
            "shared": "other jobs ran on the same cores; see each run's load average",
        },
        "input": origin,
        "lines": len(lines),
        "beam_size": BEAM,
        "model": {"name": label, "package": zip_path.name, "package_mb": round(zip_path.stat().st_size / 1e6, 1)},
        "workers": workers,
        "rounds": args.rounds,
        "versions": {"ctranslate2": ctranslate2.__version__, "python": platform.python_version()},
        "results": {k: round(v, 4) for k, v in rows.items()},
        "total_speeds": {
            "one_worker": round(total_speed(one_runs), 3),
            "workers": round(total_speed(many_runs), 3),
            **{f"raw {name}": round(total_speed(runs), 3) for name, runs in raw_runs.items()},
        },
        "targets": {k: {"op": op, "bound": b, "met": verdicts[k]} for k, (op, b) in TARGETS.items() if k in verdicts},
        "identical_output": identical,
        "intra_threads_identical_output": intra_identical,
        **({"ray_identical_output": ray_identical} if ray_runs else {}),
        "glossator_runs": {
            "one_worker": strip(one_runs),
            "workers": strip(many_runs),
            "one_worker_intra_threads": strip(intra_runs),
            "ray_local": strip(ray_runs),
        },
        "engine_only_runs": engine_runs,
        "settle_s": args.settle,
        "raw_runs": raw_runs,
        "raw_best": raw_best_name,
        "memory_series": {
            "what": "distinct lines repeated; translation memory primed with them; nothing decoded, model not loaded",
            "workers": workers,
            "points": memory_series,
        },
    }
    out = args.results / f"scale_{label}.json"
    out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {out}; work dir {work}")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
