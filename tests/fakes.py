"""Test doubles. ``FakeEngine`` implements the :class:`translate.engine.Engine` protocol from a dictionary.

Use it where the model is not the point (report writers, evaluate plumbing, CLI error paths). Anything
about real decoding uses the project's test model in ``tests/model/``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from glossator.translate.engine import Hypothesis


class FakeEngine:
    """``table`` maps a German sentence to its English, or to an n-best list of English candidates.

    Unknown sentences translate to ``"EN: <sentence>"``. With a target prefix, the output is the prefix
    followed by the words of the best candidate that come after as many words as the prefix has.
    ``calls`` records every batch and ``options`` its keyword options, so tests can check batching, caching and
    decode options. With ``attention=True`` each English word attends to the German word at the same relative
    position (a monotone alignment), so alignment-based enforcement has something to read.
    """

    def __init__(
        self,
        table: Mapping[str, str | Sequence[str]] | None = None,
        model_id: str = "fake@1.0",
        *,
        attention: bool = False,
    ):
        self.table = dict(table or {})
        self._model_id = model_id
        self.attention = attention
        self.calls: list[list[str]] = []
        self.options: list[dict[str, object]] = []

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
        disable_unk: bool = False,
        beam_size: int | None = None,
        max_decoding_length: int | None = None,
    ) -> list[list[Hypothesis]]:
        self.calls.append(list(sentences))
        self.options.append(
            {
                "num_hypotheses": num_hypotheses,
                "target_prefixes": target_prefixes is not None,
                "return_attention": return_attention,
                "disable_unk": disable_unk,
                "beam_size": beam_size,
                "max_decoding_length": max_decoding_length,
            }
        )
        out = []
        for i, sentence in enumerate(sentences):
            candidates = self._candidates(sentence)
            prefix = target_prefixes[i] if target_prefixes else None
            hyps = []
            for rank, candidate in enumerate(candidates[:num_hypotheses]):
                tokens = self.decode_tokens(sentence, candidate, list(prefix) if prefix else None)
                attention = self.attend(sentence, tokens) if return_attention and self.attention else None
                hyps.append(
                    Hypothesis(text=self.pieces_to_text(tokens), score=-float(rank), tokens=tokens, attention=attention)
                )
                if prefix:
                    break
            out.append(hyps)
        return out

    def decode_tokens(self, sentence: str, candidate: str, prefix: list[str] | None) -> tuple[str, ...]:
        """The output pieces for *candidate*, kept after *prefix* as many words in (subclasses misbehave here)."""
        if not prefix:
            return tuple(self.text_to_pieces(candidate))
        words = len(self.pieces_to_text(prefix).split())
        return (*prefix, *self.text_to_pieces(" ".join(candidate.split()[words:])))

    def attend(self, sentence: str, tokens: Sequence[str]) -> tuple[tuple[float, ...], ...]:
        """One row per target piece: all weight on the source piece at the same relative position."""
        width = len(self.source_pieces(sentence))
        rows = []
        for t in range(len(tokens)):
            row = [0.0] * width
            if width:
                row[min(width - 1, round(t * (width - 1) / max(len(tokens) - 1, 1)))] = 1.0
            rows.append(tuple(row))
        return tuple(rows)


class WordEngine:
    """A word-for-word engine with a known alignment, for the inline-markup projection (``translate/inline.py``).

    Each German word (whitespace-separated, trailing punctuation kept apart) is looked up in ``words`` (one or
    more English words, or ``""`` to drop it; unknown words stay as they are); ``sentences`` overrides a whole
    sentence with English words and the index of the German word each one translates, so tests can reorder.
    Pieces are whole words, and each English word's attention row is all on its German word, so the projection
    has an exact alignment to read. ``attention="garbage"`` puts every row's weight on the last German word
    (the alignment then says nothing), ``"empty"`` returns empty rows. A target prefix is kept verbatim; its
    words attend to the German word they translate (by reverse lookup), else to the one before.
    ``calls`` records every call's sentences and options.
    """

    def __init__(
        self,
        words: Mapping[str, str] | None = None,
        sentences: Mapping[str, Sequence[tuple[str, int]]] | None = None,
        *,
        attention: str = "exact",
        model_id: str = "words@1.0",
    ) -> None:
        self.words = dict(words or {})
        self.sentences = {k: list(v) for k, v in (sentences or {}).items()}
        self.attention = attention
        self._model_id = model_id
        self.calls: list[tuple[list[str], dict[str, object]]] = []

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def model_checksum(self) -> str:
        return "words-checksum"

    @staticmethod
    def _split(sentence: str) -> list[str]:
        """German words with trailing punctuation as words of their own."""
        out: list[str] = []
        for word in sentence.split():
            core = word.rstrip(".,:;!?")
            out += [core] if core else []
            out += list(word[len(core) :])
        return out

    def source_pieces(self, sentence: str) -> list[str]:
        return ["▁" + w for w in self._split(sentence)]

    def text_to_pieces(self, text: str) -> list[str]:
        return ["▁" + w for w in self._split(text)]

    def pieces_to_text(self, pieces: Sequence[str]) -> str:
        text = "".join(pieces).replace("▁", " ").strip()
        return re.sub(r" ([.,:;!?])", r"\1", text)

    def english(self, sentence: str) -> list[tuple[str, int]]:
        """English words with the index of the German word each translates."""
        if sentence in self.sentences:
            return self.sentences[sentence]
        out: list[tuple[str, int]] = []
        for index, word in enumerate(self._split(sentence)):
            english = self.words.get(word, word)
            out += [(w, index) for w in english.split()]
        return out

    def _row(self, width: int, index: int) -> tuple[float, ...]:
        if self.attention == "empty":
            return ()
        row = [0.0] * width
        if width:
            row[width - 1 if self.attention == "garbage" else min(max(index, 0), width - 1)] = 1.0
        return tuple(row)

    def translate(
        self,
        sentences: Sequence[str],
        *,
        num_hypotheses: int = 1,
        target_prefixes: Sequence[Sequence[str] | None] | None = None,
        return_attention: bool = False,
        disable_unk: bool = False,
        beam_size: int | None = None,
        max_decoding_length: int | None = None,
    ) -> list[list[Hypothesis]]:
        self.calls.append(
            (
                list(sentences),
                {
                    "num_hypotheses": num_hypotheses,
                    "target_prefixes": target_prefixes is not None,
                    "return_attention": return_attention,
                    "beam_size": beam_size,
                    "max_decoding_length": max_decoding_length,
                },
            )
        )
        out = []
        for i, sentence in enumerate(sentences):
            pairs = self.english(sentence)
            prefix = list(target_prefixes[i]) if target_prefixes and target_prefixes[i] else None
            if prefix is not None:
                german = self._split(sentence)
                reverse: dict[str, int] = {}
                for index, word in enumerate(german):
                    for english in self.words.get(word, word).split():
                        reverse.setdefault(english, index)
                pairs, last = [], 0
                for piece in prefix:
                    last = reverse.get(piece.replace("▁", ""), last)
                    pairs.append((piece.replace("▁", ""), last))
            if max_decoding_length is not None:
                pairs = pairs[:max_decoding_length]
            tokens = tuple("▁" + w for w, _ in pairs)
            width = len(self.source_pieces(sentence))
            attention = tuple(self._row(width, index) for _, index in pairs) if return_attention else None
            text = self.pieces_to_text(tokens)
            out.append([Hypothesis(text=text, score=0.0, tokens=tokens, attention=attention)][:num_hypotheses])
        return out


class EchoEngine(FakeEngine):
    """Returns every sentence unchanged, one piece per sentence: the identity round trip of the format tests."""

    def _candidates(self, sentence: str) -> list[str]:
        return [sentence]

    def text_to_pieces(self, text: str) -> list[str]:
        return [text]

    def pieces_to_text(self, pieces: Sequence[str]) -> str:
        return "".join(pieces)
