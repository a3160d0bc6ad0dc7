"""Formatted documents vs plain text: time and memory of ``glossator translate`` on DOCX and Markdown with inline
markup against the same sentences as plain text (issue 13: a formatted document costs <= 1.15x its plain text,
memory stays flat on a 300-page DOCX).

    python benchmarks/bench_formats.py [--sentences 400] [--rounds 3] [--model small|test|PATH]
                                       [--pages 30 300] [--memory-model test|small|PATH] [--memory-only | --time-only]

(a) **Time.** The first ``--sentences`` German lines of newstest2019 (``../shared/data/wmt``; without it the
newstest2020/2021 excerpts in ``tests/data/wmt``) as paragraphs of four sentences, written three ways: plain text
(one paragraph a line), Markdown with inline markup and DOCX with the same markup as Word writes it. In each
paragraph one word of its first sentence is bold, one of its second italic and one of its third a link (a bold
run, an italic run and a ``w:hyperlink`` in the DOCX; always a word with two letters in a row, see ``marked``), so
the model sees the same plain sentences in all three (checked: the run counts the sentences and the English that
differ from the plain text's) and every formatted sentence needs the projection that puts the markup back on the
English words its attention ties them to. One process loads the model once
(``--model``, default the project's small model ``models/de_en_small``, beam 4, no translation memory, the default
workers), then translates the three files in alternating rounds with ``Translator.translate_files`` (what
``glossator translate FILE -o OUT`` runs: reading, checking, splitting, decoding, projecting, writing). Each
format's time is its best round (this machine is shared; the least disturbed round), compared as the CPU seconds of
the call (one worker; on a shared machine wall times drift with the other jobs: both are printed and kept); the
ratios are formatted / plain.

(b) **Memory.** A generated DOCX of ``--pages`` pages (20 of those sentences a page in five formatted paragraphs,
cycled through the sentences, a page break after each page, a table every ten pages) translated in a fresh process
each (``--memory-model``, default the test model: the sentences are decoded, not taken from a memory, and a small
model makes the document's own share of the memory visible); the peak resident memory of that process
(``ru_maxrss``), and the largest document's peak over the smallest's (target: at most ``TARGET_MEMORY``). The main
part is read one top-level element at a time and each let go once its paragraphs are put (``translate/formats/
docx.py``), and a document is translated in windows of ``STRUCTURED_WINDOW_CHARS`` (``glossator/api.py``, about
14 of these pages), so neither the parsed XML nor the window grows with the page count (the part's bytes wait in a
spooled temporary file): what is left comes with the model's decoding over a longer run.

``--memory-only`` runs (b) alone and replaces only the memory section of an existing ``formats.json``;
``--time-only`` runs (a) alone and prints it, writing nothing.

Writes ``benchmarks/results/formats.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED_WMT = REPO.parent / "shared" / "data" / "wmt" / "newstest2019.de-en.de"
EXCERPTS = [REPO / "tests" / "data" / "wmt" / f"newstest20{year}.de-en.de" for year in (20, 21)]
MODELS = {
    "small": REPO / "models" / "de_en_small" / "de_en_glossator_small.argosmodel",
    "test": REPO / "tests" / "model" / "de_en_glossator_test.argosmodel",
}
RESULTS = REPO / "benchmarks" / "results"
TARGET_TIME = 1.15
TARGET_MEMORY = 1.15  # peak RSS of the largest DOCX over the smallest's
PER_PARAGRAPH = 4
PARAGRAPHS_PER_PAGE = 5
LINK = "https://example.org/"


def source_sentences(count: int) -> tuple[list[str], str]:
    if SHARED_WMT.exists():
        lines, origin = SHARED_WMT.read_text(encoding="utf-8").splitlines(), f"newstest2019 ({SHARED_WMT.name})"
    else:
        lines = [line for path in EXCERPTS for line in path.read_text(encoding="utf-8").splitlines()]
        origin = "tests/data/wmt excerpts (newstest2020 and 2021)"
    lines = [line.strip() for line in lines if len(line.split()) >= 4]
    if count > len(lines):
        origin += f", cycled to {count}"
        lines = (lines * (count // len(lines) + 1))[:count]
    return lines[:count], f"first {count} sentences of at least 4 words of {origin}"


# --------------------------------------------------------------------------------------------- the three files


def paragraphs(sentences: list[str]) -> list[list[str]]:
    return [sentences[i : i + PER_PARAGRAPH] for i in range(0, len(sentences), PER_PARAGRAPH)]


def marked(paragraph: list[str]) -> list[list[tuple[str, str]]]:
    """Each sentence as (word, markup) pairs: one bold word in the first sentence, an italic one in the second, a
    link in the third ("" = plain). The marked word is the one at the second, middle or last but one place, or
    the nearest word with two letters in a row: markup on "-" or "25" is no span to translate (a bold dash is two
    atoms, a DOCX link "25" one), and the model would not see the plain text's sentence."""
    out = []
    for index, sentence in enumerate(paragraph):
        words = sentence.split(" ")
        kinds = [""] * len(words)
        wordy = [k for k, word in enumerate(words) if re.search(r"[^\W\d_]{2}", word)]
        if index < 3 and len(words) >= 4 and wordy:
            at = [1, len(words) // 2, len(words) - 2][index]
            kinds[min(wordy, key=lambda k: (abs(k - at), k))] = ["b", "i", "a"][index]
        out.append(list(zip(words, kinds, strict=True)))
    return out


def plain_text(sentences: list[str]) -> str:
    return "".join(" ".join(p) + "\n\n" for p in paragraphs(sentences))


def _md_escape(word: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_[]<>#|" else ch for ch in word)


def markdown(sentences: list[str]) -> str:
    out = []
    for number, paragraph in enumerate(paragraphs(sentences)):
        words = []
        for sentence in marked(paragraph):
            for word, kind in sentence:
                text = _md_escape(word)
                words.append(
                    {"b": f"**{text}**", "i": f"*{text}*", "a": f"[{text}]({LINK}{number})"}.get(kind, text)
                    if kind
                    else text
                )
        out.append(" ".join(words) + "\n\n")
    return "".join(out)


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
LINK_STYLE = '<w:rStyle w:val="Hyperlink"/>'


def _run(text: str, rpr: str = "") -> str:
    props = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    return f'<w:r w:rsidR="00A1B2C3">{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def docx_paragraph(paragraph: list[str]) -> str:
    """A w:p with the paragraph's markup as Word writes it: runs, a bold and an italic run, a hyperlink."""
    runs: list[str] = []
    plain: list[str] = []
    for s, sentence in enumerate(marked(paragraph)):
        for w, (word, kind) in enumerate(sentence):
            lead = " " if (s or w) else ""
            if not kind:
                plain.append(lead + word)
                continue
            plain.append(lead)
            runs.append(_run("".join(plain)))
            plain = []
            if kind == "a":
                runs.append(f'<w:hyperlink r:id="rIdLink">{_run(word, LINK_STYLE)}</w:hyperlink>')
            else:
                runs.append(_run(word, "<w:b/>" if kind == "b" else "<w:i/>"))
    runs.append(_run("".join(plain)))
    return '<w:p><w:pPr><w:pStyle w:val="Standard"/></w:pPr>' + "".join(r for r in runs if "<w:t" in r) + "</w:p>"


def docx(sentences: list[str], pages: int | None = None) -> bytes:
    """A DOCX of the sentences' paragraphs; with *pages*, that many pages of PARAGRAPHS_PER_PAGE paragraphs each
    (the sentences cycled), a page break after each page and a 2x2 table every ten pages."""
    chunks = paragraphs(sentences)
    body: list[str] = []
    if pages is None:
        body = [docx_paragraph(p) for p in chunks]
    else:
        for page in range(pages):
            for k in range(PARAGRAPHS_PER_PAGE):
                body.append(docx_paragraph(chunks[(page * PARAGRAPHS_PER_PAGE + k) % len(chunks)]))
            if page % 10 == 9:
                cells = "".join(
                    f"<w:tc><w:tcPr/>{docx_paragraph([chunks[(page + c) % len(chunks)][0]])}</w:tc>" for c in range(2)
                )
                body.append(f"<w:tbl><w:tblPr/><w:tr>{cells}</w:tr><w:tr>{cells}</w:tr></w:tbl>")
            body.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
    document = (
        f'{_DECL}<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>{"".join(body)}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>'
    )
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    files = {
        "[Content_Types].xml": f'{_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        '<Override PartName="/word/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>',
        "_rels/.rels": f'{_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/_rels/document.xml.rels": f'{_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/'
        f'2006/relationships"><Relationship Id="rId1" Type="{rel}/styles" Target="styles.xml"/><Relationship '
        f'Id="rIdLink" Type="{rel}/hyperlink" Target="{LINK}" TargetMode="External"/></Relationships>',
        "word/document.xml": document,
        "word/styles.xml": f'{_DECL}<w:styles xmlns:w="{W_NS}"><w:docDefaults><w:rPrDefault><w:rPr>'
        '<w:lang w:val="de-DE"/></w:rPr></w:rPrDefault></w:docDefaults></w:styles>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in files.items():
            package.writestr(name, text)
    return out.getvalue()


# --------------------------------------------------------------------------------------------- the runs

# (a): one process, the model loaded once; the three files translated in alternating rounds.
TIME_CHILD = textwrap.dedent(
    """
    import json, sys, time
    from glossator.api import Translator
    from glossator.common.settings import DecodeOptions, Settings
    package, rounds, files = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
    settings = Settings.from_env(decode=DecodeOptions(beam_size=4))
    out = {name: [] for name in files}
    warnings, segments = {}, {}
    with Translator(model=package, settings=settings, use_memory=False, workers=1) as translator:
        translator.translate("Guten Morgen. Wie geht es **dir**?", fmt="md")  # model, SoMaJo, alignment warmed up
        for _ in range(rounds):
            for name, (source, target) in files.items():
                cpu, start = time.process_time(), time.perf_counter()
                result = translator.translate_files([source], target, force=True)
                out[name].append({"seconds": time.perf_counter() - start, "cpu_s": time.process_time() - cpu})
                warnings[name] = [w for w in result[0].warnings if "placed by position" in w or "kept" in w]
                segments[name] = [(s.source, s.target) for s in result[0].segments]
    # what the model saw and wrote must be the plain text's: the formats differ in markup only
    differ = {
        name: {
            "sentences": sum(a[0] != b[0] for a, b in zip(segments[name], segments["plain text"])),
            "english": sum(a[1] != b[1] for a, b in zip(segments[name], segments["plain text"])),
            "count": len(segments[name]),
        }
        for name in files
    }
    print(json.dumps({"runs": out, "warnings": warnings, "differ_from_plain": differ}))
    """
)

# (b): a fresh process per document; its peak resident memory.
MEMORY_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    from glossator.api import Translator
    package, source, target = sys.argv[1], sys.argv[2], sys.argv[3]
    start = time.perf_counter()
    with Translator(model=package, use_memory=False) as translator:
        result = translator.translate_files([source], target, force=True, keep=False)
    print(json.dumps({
        "seconds": time.perf_counter() - start,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "segments": result[0].stats.get("segments"),
    }))
    """
)


def child(code: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=os.environ.copy(), check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def package_path(choice: str) -> Path:
    path = MODELS.get(choice, Path(choice))
    if not path.exists():
        raise SystemExit(f"--model {choice}: no such package; give small, test or a .argosmodel path")
    return path


def memory_runs(sizes: list[int], package: Any, work: Path, log: Any) -> tuple[list[dict[str, Any]], float, float]:
    """(b): each size's DOCX translated in a fresh process; the points, largest/smallest peak, MB a page."""
    memory: list[dict[str, Any]] = []
    mem_sentences, _ = source_sentences(2000)
    for pages in sorted(sizes):
        path = work / f"pages{pages}.de.docx"
        path.write_bytes(docx(mem_sentences, pages=pages))
        log(f"(b) a {pages}-page DOCX ({path.stat().st_size // 1024} KB) in a fresh process …")
        report = child(MEMORY_CHILD, str(package.path), str(path), str(work / f"pages{pages}.en.docx"))
        memory.append({"pages": pages, "docx_kb": path.stat().st_size // 1024, **report})
    if not memory:  # no memory runs (--pages with no sizes): the time runs only
        return memory, 0.0, 0.0
    first, last = memory[0], memory[-1]
    per_page = (last["peak_rss_mb"] - first["peak_rss_mb"]) / max(last["pages"] - first["pages"], 1)
    return memory, last["peak_rss_mb"] / first["peak_rss_mb"], per_page


def print_memory(model: str, memory: list[dict[str, Any]], ratio: float, per_page: float) -> None:
    if not memory:
        return
    print(f"(b) peak memory translating a generated DOCX, model {model}, one process each")
    print(f"  {'pages':>6} {'KB':>7} {'segments':>9} {'seconds':>8} {'peak MB':>8}")
    for point in memory:
        print(
            f"  {point['pages']:6} {point['docx_kb']:7} {point['segments'] or 0:9} {point['seconds']:8.1f} "
            f"{point['peak_rss_mb']:8.1f}"
        )
    first, last = memory[0], memory[-1]
    print(
        f"  {last['pages']} pages / {first['pages']} pages peak: {ratio:.3f}x (target <= {TARGET_MEMORY}x: "
        f"{'met' if ratio <= TARGET_MEMORY else 'MISSED'}), {per_page * 1024:.0f} KB more a page"
    )


def memory_payload(model: str, memory: list[dict[str, Any]], ratio: float, per_page: float) -> dict[str, Any]:
    return {
        "model": model,
        "date": datetime.date.today().isoformat(),
        "points": memory,
        "ratio_largest_vs_smallest": round(ratio, 3),
        "mb_per_page": round(per_page, 4),
        "target": TARGET_MEMORY,
        "met": bool(memory) and ratio <= TARGET_MEMORY,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=400, help="German sentences for the time runs (400)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of the time runs (3)")
    parser.add_argument("--model", default="small", help="time runs: small (default), test or a package")
    parser.add_argument("--pages", type=int, nargs="*", default=[30, 100, 300], help="DOCX sizes, memory runs")
    parser.add_argument("--memory-model", default="test", help="memory runs: test (default), small or a package")
    parser.add_argument("--memory-only", action="store_true", help="run the memory part (b) alone")
    parser.add_argument("--time-only", action="store_true", help="run the time part (a) alone; writes no file")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.sentences < PER_PARAGRAPH or args.rounds < 1 or any(p < 1 for p in args.pages):
        parser.error("--sentences, --rounds and --pages must be positive")
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731

    work = Path(tempfile.mkdtemp(prefix="glossator-formats-"))
    xdg = {name: str(work / name.lower()) for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
    os.environ.update(ARGOS_PACKAGES_DIR=str(work / "packages"), GLOSSATOR_CACHE_DIR=str(work / "cache"), **xdg)
    from glossator.common.settings import Settings
    from glossator.models.packages import install_package

    memory_package = install_package(package_path(args.memory_model), Settings.from_env())
    if args.memory_only:
        if not args.pages:
            parser.error("--memory-only needs --pages sizes")
        memory, memory_ratio, per_page = memory_runs(args.pages, memory_package, work, log)
        print_memory(args.memory_model, memory, memory_ratio, per_page)
        out = args.results / "formats.json"
        payload = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        payload["memory"] = memory_payload(args.memory_model, memory, memory_ratio, per_page)
        args.results.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        log(f"wrote the memory section of {out}; work dir {work}")
        return 0
    time_package = install_package(package_path(args.model), Settings.from_env())

    sentences, origin = source_sentences(args.sentences)
    files = {
        "plain text": ("doc.de.txt", plain_text(sentences).encode("utf-8")),
        "Markdown": ("doc.de.md", markdown(sentences).encode("utf-8")),
        "DOCX": ("doc.de.docx", docx(sentences)),
    }
    jobs = {}
    for name, (filename, data) in files.items():
        (work / filename).write_bytes(data)
        jobs[name] = (str(work / filename), str(work / filename.replace(".de.", ".en.")))
    log(f"(a) {len(sentences)} sentences as plain text, Markdown and DOCX; {args.rounds} alternating rounds …")
    timing = child(TIME_CHILD, str(time_package.path), str(args.rounds), json.dumps(jobs))
    best = {name: min(r["seconds"] for r in runs) for name, runs in timing["runs"].items()}
    best_cpu = {name: min(r["cpu_s"] for r in runs) for name, runs in timing["runs"].items()}
    total = {name: sum(r["seconds"] for r in runs) for name, runs in timing["runs"].items()}
    ratios = {name: best_cpu[name] / best_cpu["plain text"] for name in ("Markdown", "DOCX")}
    wall_ratios = {name: best[name] / best["plain text"] for name in ("Markdown", "DOCX")}

    memory, memory_ratio, per_page = [], 0.0, 0.0
    if not args.time_only:
        memory, memory_ratio, per_page = memory_runs(args.pages, memory_package, work, log)

    print(f"(a) time, {len(sentences)} sentences ({origin}), model {args.model}, one worker, best of {args.rounds}")
    print(f"  {'format':12} {'CPU s':>7} {'vs plain':>9} {'wall s':>7} {'vs plain':>9} {'wall total':>10}  fallbacks")
    for name in files:
        notes = "; ".join(w.split(": ", 1)[-1] for w in timing["warnings"].get(name, [])) or "none"
        print(
            f"  {name:12} {best_cpu[name]:7.2f} {best_cpu[name] / best_cpu['plain text']:8.3f}x {best[name]:7.2f} "
            f"{best[name] / best['plain text']:8.3f}x {total[name]:10.1f}  {notes[:60]}"
        )
    print(
        f"  target: formatted <= {TARGET_TIME}x plain (CPU time: the machine is shared, wall times drift): "
        + ", ".join(f"{n} {'met' if r <= TARGET_TIME else 'MISSED'}" for n, r in ratios.items())
    )
    differ = timing["differ_from_plain"]
    print(
        "  the model's sentences and English vs the plain text's (must be equal): "
        + ", ".join(
            f"{n} {d['sentences']} and {d['english']} of {d['count']} differ" for n, d in differ.items() if n in ratios
        )
    )
    if args.time_only:
        log(f"--time-only: no file written; work dir {work}")
        return 0
    print_memory(args.memory_model, memory, memory_ratio, per_page)

    import ctranslate2

    args.results.mkdir(parents=True, exist_ok=True)
    payload = {
        "date": datetime.date.today().isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "shared": "other jobs ran on the same cores",
            "load_average_after": os.getloadavg()[0],
        },
        "input": origin,
        "sentences": len(sentences),
        "markup_per_paragraph": "1 bold, 1 italic, 1 link word in its first three sentences (4 sentences each)",
        "time": {
            "model": args.model,
            "rounds": args.rounds,
            "workers": 1,
            "compared": "CPU seconds of the translate_files call (the machine is shared; wall times drift)",
            "best_cpu_seconds": {k: round(v, 3) for k, v in best_cpu.items()},
            "best_seconds": {k: round(v, 3) for k, v in best.items()},
            "wall_ratio_vs_plain": {k: round(v, 3) for k, v in wall_ratios.items()},
            "total_seconds": {k: round(v, 3) for k, v in total.items()},
            "ratio_vs_plain": {k: round(v, 3) for k, v in ratios.items()},
            "target": TARGET_TIME,
            "met": {k: v <= TARGET_TIME for k, v in ratios.items()},
            "runs": timing["runs"],
            "markup_fallbacks": timing["warnings"],
            "differ_from_plain": differ,
        },
        "memory": memory_payload(args.memory_model, memory, memory_ratio, per_page),
        "versions": {"ctranslate2": ctranslate2.__version__, "python": platform.python_version()},
    }
    out = args.results / "formats.json"
    out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {out}; work dir {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
