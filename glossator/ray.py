"""Glossator over Ray Data: translate a column of a :class:`ray.data.Dataset` (Parquet, JSONL, … archives).

``translate_dataset(ds, column="text", glossary="house.yaml")`` returns a new Dataset with, per row, the English
(``translation``), the term checks as JSON (``term_checks``: source term, surface, status, found, method) and the
count of term violations (``term_violations``), computed by ``map_batches`` over a pool of actors, each holding one
:class:`glossator.Translator` (model, glossary matcher) loaded once. The model must be installed on every node
(``glossator models install`` there, or ``ARGOS_PACKAGES_DIR`` on a shared file system); the glossary file must be
readable on every node, or pass a loaded :class:`~glossator.glossary.model.Glossary`, which travels with the job.

Nothing imports ray unless this module is used (the optional extra ``glossator[ray]``).
Example::

    import ray, glossator.ray
    ds = ray.data.read_json("archive/*.jsonl")
    out = glossator.ray.translate_dataset(ds, column="text", glossary="house.yaml", actors=8)
    out.write_parquet("archive-en/")
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from glossator.glossary.model import Glossary

__all__ = ["translate_dataset"]


class _BatchTranslator:
    """The actor of :func:`translate_dataset`: one Translator, loaded once, over many batches."""

    def __init__(
        self, column: str, output: str, model: str | None, glossary: Glossary | str | list[str] | None, memory: bool
    ) -> None:
        from glossator.api import Translator

        self.column, self.output = column, output
        self.translator = Translator(model=model, glossary=glossary, use_memory=memory)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        from glossator.translate.pipeline import DocumentInput

        texts = ["" if value is None else str(value) for value in batch[self.column]]
        inputs = [DocumentInput(f"row{n}", text, "txt") for n, text in enumerate(texts)]
        results, _ = self.translator._run(inputs, None)
        checks = [[check.to_dict() for segment in r.segments for check in segment.checks] for r in results]
        out = dict(batch)
        out[self.output] = np.array([r.text for r in results], dtype=object)
        out["term_checks"] = np.array([json.dumps(c, ensure_ascii=False) for c in checks], dtype=object)
        out["term_violations"] = np.array(
            [sum(1 for c in row if c.get("status") in ("missing", "forbidden", "damaged")) for row in checks],
            dtype=np.int64,
        )
        return out


def translate_dataset(
    ds: Any,
    column: str = "text",
    *,
    glossary: Glossary | str | Path | list[str | Path] | None = None,
    model: str | Path | None = None,
    actors: int = 1,
    batch_size: int = 64,
    output_column: str = "translation",
    memory: bool = False,
) -> Any:
    """*ds* with its German *column* translated (see the module docstring). *actors*: the actor pool's size (one
    CPU each); *memory*: use each node's translation memory (off by default: a cluster job's rows are usually new).
    """
    if isinstance(glossary, Path):
        glossary = str(glossary)
    elif isinstance(glossary, list):
        glossary = [str(p) for p in glossary]
    return ds.map_batches(
        _BatchTranslator,
        fn_constructor_kwargs={
            "column": column,
            "output": output_column,
            "model": None if model is None else str(model),
            "glossary": glossary,
            "memory": memory,
        },
        batch_size=batch_size,
        concurrency=actors,
        num_cpus=1,
    )
