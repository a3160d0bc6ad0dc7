"""Streaming translation (issue 15): inputs go through in windows and large files in parts, each output written as
soon as it is done; the result is the same as translating everything at once (with an engine whose output does not
depend on its batch), an interrupted directory run keeps its finished outputs, and ``--resume`` finishes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import run_cli
from fakes import FakeEngine

from glossator.api import Translator
from glossator.common.errors import InputFileError
from glossator.common.fileio import iter_text, read_text
from glossator.common.settings import Settings
from glossator.translate import files as files_module


class CountingEngine(FakeEngine):
    """``EN: <sentence>``; raises KeyboardInterrupt on call number *interrupt_at* (an interrupt mid-run)."""

    def __init__(self, interrupt_at: int | None = None) -> None:
        super().__init__()
        self.interrupt_at = interrupt_at

    def translate(self, sentences, **options):  # type: ignore[no-untyped-def, override]
        if self.interrupt_at is not None and len(self.calls) + 1 >= self.interrupt_at:
            raise KeyboardInterrupt
        return super().translate(sentences, **options)


@pytest.fixture
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows of 2,000 characters and 'large' files from 10 kB, so a test-sized input streams."""
    monkeypatch.setattr(files_module, "WINDOW_CHARS", 2_000)
    monkeypatch.setattr(files_module, "WHOLE_FILE_BYTES", 10_000)


def _document(n: int, lines: int) -> str:
    return "".join(f"Dokument {n}, Satz {i}: Der Strategische Dialog geht weiter.\n\n" for i in range(lines))


def _expected(text: str) -> str:
    return "".join(f"EN: {line}" if line.strip() else line for line in text.splitlines(keepends=True))


def _translator(engine: FakeEngine) -> Translator:
    return Translator(engine=engine, settings=Settings.from_env(use_cache=False))


def test_windows_and_parts_give_the_whole_translation(tmp_path: Path, small_windows: None) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    texts = {f"d{n}.de.txt": _document(n, 40 if n else 400) for n in range(5)}  # d0: 26 kB, streamed in parts
    for name, text in texts.items():
        (inputs / name).write_text(text, encoding="utf-8")
    engine = CountingEngine()
    with _translator(engine) as translator:
        results = translator.translate_files([inputs], tmp_path / "out", keep=False)
    for name, text in texts.items():
        assert (tmp_path / "out" / name.replace(".de.", ".en.")).read_text(encoding="utf-8") == _expected(text)
    assert len(engine.calls) > 5  # many windows, not one pooled run
    assert [r.stats["segments"] for r in results] == [400, 40, 40, 40, 40]
    assert all(r.segments == () and r.text == "" for r in results)  # keep=False: counts only, nothing held
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temp files left


def test_keep_returns_text_and_segments_across_parts(tmp_path: Path, small_windows: None) -> None:
    source = tmp_path / "big.de.txt"
    source.write_text(_document(0, 300), encoding="utf-8")
    with _translator(CountingEngine()) as translator:
        [result] = translator.translate_files([source], tmp_path / "big.en.txt")
    assert result.text == _expected(_document(0, 300))
    assert len(result.segments) == 300 == result.stats["segments"]


def test_an_interrupted_directory_run_keeps_finished_outputs_and_resumes(tmp_path: Path, small_windows: None) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    texts = {f"d{n}.de.txt": _document(n, 30) for n in range(6)}
    for name, text in texts.items():
        (inputs / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt), _translator(CountingEngine(interrupt_at=3)) as translator:
        translator.translate_files([inputs], out)
    finished = sorted(p.name for p in out.iterdir())
    assert finished and len(finished) < 6  # some outputs done, the rest not started or not finished
    assert not [name for name in finished if name.startswith(".")]  # the output being written was removed
    for name in finished:
        assert (out / name).read_text(encoding="utf-8") == _expected(texts[name.replace(".en.", ".de.")])

    resumed = CountingEngine()
    with _translator(resumed) as translator:
        results = translator.translate_files([inputs], out, resume=True)
    assert len(results) == 6 - len(finished)  # only the missing ones
    for name, text in texts.items():
        assert (out / name.replace(".de.", ".en.")).read_text(encoding="utf-8") == _expected(text)


def test_a_bad_large_input_is_refused_before_anything_is_written(tmp_path: Path, small_windows: None) -> None:
    good, bad = tmp_path / "a.de.txt", tmp_path / "b.de.txt"
    good.write_text(_document(0, 50), encoding="utf-8")
    bad.write_bytes(_document(1, 300).encode() + b"\xff\n")  # the bad byte at the end of a streamed file
    engine = CountingEngine()
    with (
        pytest.raises(InputFileError, match=r"b\.de\.txt: not valid utf-8 \(byte 0xff at offset \d+\)"),
        _translator(engine) as translator,
    ):
        translator.translate_files([good, bad], tmp_path / "out")
    assert engine.calls == [] and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "data",
    [b"", b"abc", "Straße\n".encode() * 3000, b"\xef\xbb\xbfBOM\n", "\ufeffHällo\n".encode("utf-16") * 500,
     b"ok\n" * 1000 + b"\xc3", b"a\x00b", b"\xff\xfe\x00"],
)  # fmt: skip
def test_the_stream_reader_reads_what_read_text_reads(tmp_path: Path, data: bytes, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from glossator.common import fileio

    monkeypatch.setattr(fileio, "STREAM_CHUNK", 7)  # chunk edges inside multi-byte characters
    path = tmp_path / "x.txt"
    path.write_bytes(data)
    outcomes = []
    for read in (lambda: read_text(path), lambda: "".join(iter_text(path))):
        try:
            outcomes.append(read())
        except InputFileError as exc:
            outcomes.append(f"error: {exc}")
    assert outcomes[0] == outcomes[1]


def test_resume_on_the_command_line(tmp_path: Path) -> None:
    from paths import CORPUS, TEST_MODEL_DIR

    from glossator.models.packages import install_package

    install_package(TEST_MODEL_DIR / "de_en_glossator_test.argosmodel", Settings.from_env())
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.de.txt").write_text((CORPUS / "iraq-troops.de.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (inputs / "b.de.txt").write_text("Der Strategische Dialog.\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.en.txt").write_text("finished earlier\n", encoding="utf-8")
    refused = run_cli(["translate", str(inputs), "-o", str(out), "-q"])
    assert refused.exit_code == 5  # without --resume an existing output is still refused
    resumed = run_cli(["translate", str(inputs), "-o", str(out), "-q", "--resume"])
    assert resumed.exit_code == 0, resumed.stderr
    assert (out / "a.en.txt").read_text(encoding="utf-8") == "finished earlier\n"  # kept, not redone
    assert (out / "b.en.txt").read_text(encoding="utf-8").strip()
