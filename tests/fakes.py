"""Test doubles. ``FakeEngine`` implements the :class:`translate.engine.Engine` protocol from a dictionary.

Use it where the model is not the point (report writers, evaluate plumbing, CLI error paths). Anything
about real decoding uses the project's test model in ``tests/model/``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from glossator.translate.engine import Hypothesis


class FakeEngine:
    """``table`` maps a German sentence to its English, or to an n-best list of English candidates.

    Unknown sentences translate to ``"EN: <sentence>"``. With a target prefix, the output is the prefix
    followed by the words of the best candidate that come after as many words as the prefix has.
    ``calls`` records every batch, so tests can check batching and caching.
    """

    def __init__(self, table: Mapping[str, str | Sequence[str]] | None = None, model_id: str = "fake@1.0"):
        self.table = dict(table or {})
        self._model_id = model_id
        self.calls: list[list[str]] = []

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def model_checksum(self) -> str:
        return "fake-checksum"

    def _candidates(self, sentence: str) -> list[str]:
        value = self.table.get(sentence, f"EN: {sentence}")
        return [value] if isinstance(value, str) else list(value)

    def text_to_pieces(self, text: str) -> list[str]:
        return ["▁" + word for word in text.split()]

    def source_pieces(self, sentence: str) -> list[str]:
        return self.text_to_pieces(sentence)

    def pieces_to_text(self, pieces: Sequence[str]) -> str:
        return "".join(pieces).replace("▁", " ").strip()

    def translate(
        self,
        sentences: Sequence[str],
        *,
        num_hypotheses: int = 1,
        target_prefixes: Sequence[Sequence[str] | None] | None = None,
        return_attention: bool = False,
    ) -> list[list[Hypothesis]]:
        self.calls.append(list(sentences))
        out = []
        for i, sentence in enumerate(sentences):
            candidates = self._candidates(sentence)
            prefix = target_prefixes[i] if target_prefixes else None
            if prefix:
                prefix_text = self.pieces_to_text(prefix)
                rest = candidates[0].split()[len(prefix_text.split()) :]
                candidates = [" ".join([prefix_text, *rest])]
            hyps = [
                Hypothesis(text=c, score=-float(rank), tokens=tuple(self.text_to_pieces(c)))
                for rank, c in enumerate(candidates[:num_hypotheses])
            ]
            out.append(hyps)
        return out
