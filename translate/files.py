"""Which files a translation reads and where each English output goes (the overwrite policy).

Moved out of the CLI so that ``glossator translate`` and :meth:`glossator.Translator.translate_files` follow one
rule: directories give their .txt/.md files (English outputs skipped), patterns expand, ``-`` is stdin; an output
never overwrites an input, two inputs never write one output, and an existing output needs ``force``.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from glossator.common.errors import InputError, OutputError, UsageError
from glossator.common.fileio import is_special_file
from glossator.translate.documents import output_name

SUFFIXES = (".txt", ".md", ".markdown")


def _is_english_output(name: str) -> bool:
    """``x.en.md``, ``x_en.docx``, ``x-en.txt``: what an earlier run wrote, not an input."""
    stem = name.rsplit(".", 1)[0].lower()
    return ".en." in name.lower() or stem.endswith(("_en", "-en"))


def expand_inputs(inputs: Sequence[str | Path]) -> list[Path | None]:
    """Files, directories (their .txt/.md files, English outputs skipped) and glob patterns; ``-`` = stdin (None)."""
    paths: list[Path | None] = []
    for item in inputs:
        if str(item) == "-":
            paths.append(None)
            continue
        path = Path(item)
        if path.is_dir():
            from glossator.translate.formats import structured_extensions

            suffixes = {*SUFFIXES, *structured_extensions()}
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in suffixes and not _is_english_output(p.name)
            )
            if not found:
                raise InputError(
                    f"{path}: directory has no files to translate (it looks for {', '.join(sorted(suffixes))})."
                )
            paths.extend(found)
        elif not path.exists() and glob.has_magic(str(item)):
            matched = sorted(Path(p) for p in glob.glob(str(item), recursive=True) if Path(p).is_file())
            if not matched:
                raise InputError(f"{item}: pattern matches no files. Check the pattern or quote it.")
            paths.extend(matched)
        else:
            paths.append(path)
    return paths


def plan_outputs(
    paths: Sequence[Path | None],
    output: str | Path | None,
    force: bool,
    protected: Sequence[Path] = (),
    *,
    resume: bool = False,
) -> list[Path | None]:
    """Where each input's English goes (None = stdout).

    Refuses to overwrite an input or any *protected* file (glossaries the run reads), with or without *force*,
    and an existing output without *force* (with *resume* an existing output is allowed: the caller skips its
    input); checks the output folder is writable before anything is translated.
    """
    output = str(output) if output is not None else None
    if len(paths) > 1 and None in paths:
        raise UsageError("stdin ('-') can only be translated on its own.")
    if len(paths) == 1:
        if output == "-" or (output is None and paths[0] is None):
            return [None]
        src = paths[0]
        if output and Path(output).is_dir():  # -o DIR with one input: the usual English name inside DIR
            targets: list[Path | None] = [Path(output) / output_name(src.name if src else "stdin.de.txt")]
        else:
            targets = [Path(output) if output else Path(output_name(str(src)))]
    else:
        out_dir = Path(output) if output else None
        if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
            raise UsageError(f"-o {out_dir}: with several inputs -o names a directory, and this is a file.")
        targets = [
            (out_dir / output_name(p.name)) if out_dir else Path(output_name(str(p))) for p in paths if p is not None
        ]
    read = {p.resolve() for p in paths if p is not None} | {Path(p).resolve() for p in protected}
    seen: set[Path] = set()
    for target in targets:
        if target is None:
            continue
        resolved = target.resolve()
        if resolved in read:
            raise OutputError(f"{target}: output would overwrite a file this run reads. Choose another -o.")
        if resolved in seen:
            raise OutputError(f"{target}: two inputs would write the same output. Use -o DIR or rename one.")
        seen.add(resolved)
        if is_special_file(target):  # a FIFO or device is written into, not overwritten: no --force needed
            if not os.access(target, os.W_OK):
                raise OutputError(f"{target}: not writable. Choose another -o.")
            continue
        if target.exists() and not force and not resume:
            raise OutputError(f"{target}: output exists. Pass --force to overwrite it.")
        parent = target.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not os.access(parent, os.W_OK):
            raise OutputError(f"{target.parent}: output directory is not writable. Choose another -o.")
    return targets


# Streaming: inputs are translated in windows of about this many characters (a few thousand sentences: enough for
# full engine batches), and a larger file in parts of this size, so memory does not grow with the input.
WINDOW_CHARS = 200_000
# Files up to this size are read whole (one decode, the exact error of read_text); larger ones as a stream.
WHOLE_FILE_BYTES = 4 << 20


def document_parts(chunks: Iterable[str], fmt: str, part_chars: int = WINDOW_CHARS) -> Iterator[str]:
    """The text of *chunks* cut into parts of about *part_chars*, each ending where the format lets a document be
    cut without changing how it is read: after a line end for ``txt``/``lines`` (their sentences never span lines);
    after a blank line outside fenced code and before a line at the margin for ``md``. Joined, the parts are the
    text, byte for byte; only texts over *part_chars* are cut at all.
    """
    buffer = ""
    fence: str | None = None  # the open code fence of the text already emitted (md)
    for chunk in chunks:
        buffer += chunk
        while len(buffer) > part_chars:
            cut, fence_after = _cut_point(buffer, fmt, part_chars, fence)
            if cut <= 0:
                break  # no boundary yet: read more
            yield buffer[:cut]
            buffer, fence = buffer[cut:], fence_after
    if buffer:
        yield buffer


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)
# A blank line followed by a line that starts at the margin: an indented line after it may continue a list item,
# which would read as code at the start of a part.
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n(?=[^\s])")


def _cut_point(text: str, fmt: str, part_chars: int, fence: str | None) -> tuple[int, str | None]:
    """Where to cut *text* (0: nowhere yet) and the Markdown fence open after the cut."""
    if fmt != "md":
        end = text.rfind("\n", 0, max(part_chars, 1))
        if end < 0:
            end = text.find("\n", part_chars)
        return end + 1, None
    best, best_fence, state = 0, fence, fence
    position = 0
    for blank in _BLANK_LINE.finditer(text):
        # Fences opened or closed between the last position and this blank line.
        for mark in _FENCE.finditer(text, position, blank.start() + 1):
            token = mark.group(1)
            if state is None:
                state = token[0] * 3
            elif token.startswith(state):
                state = None
        position = blank.end()
        if state is None:
            best, best_fence = blank.end(), None
            if best >= part_chars:
                break
    return best, best_fence
