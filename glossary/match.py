"""Find glossary terms in German text, in any inflected form.

German inflects what a glossary lists in base form: "Strategischer Dialog" appears as "des Strategischen
Dialogs" or "im Strategischen Dialog", "Terrormiliz" as "Terrormilizen". Literal matching misses these, so
each token is reduced to a *set* of keys — its own spelling and its lemmas from simplemma (a dictionary-based
lemmatizer with no model download, 2 MB of data per language) — and a term token matches a text token when
their key sets meet. Keys are case-folded and hyphen-less, so "Corona-Krise" and "Coronakrise" meet.

Why a set: simplemma's lemma of a declined adjective depends on capitalisation ("Strategischen" →
"Strategische", "strategischen" → "strategisch"), so a token is looked up as written, lower-cased and
capitalised, and all answers count. For compounds simplemma does not list ("Geheimdienstchefs"), its
greedy mode decomposes the word and lemmatizes the head; those lemmas are keys too.

Rules that keep false positives out (each has a test):

* Tokens of a multi-word term must be adjacent, in order, separated by whitespace only: "Der Dialog war
  strategisch wichtig" is not *Strategischer Dialog*, nor is "… strategisch. Dialog …".
* A capitalised adjective inside a multi-word term ("Islamischer Staat", "Strategischer Dialog") marks a
  proper name: the text must capitalise it too, so the generic "in islamischen Staaten" does not match.
  Write the term in lower case ("strategischer Dialog") to match both.
* An attributive adjective is always inflected in German, so the bare adverb/predicative form
  ("strategisch") never stands for "Strategischer".
* A case-sensitive term ("IS") matches only the same capitalisation: "IS", not "is" or "Is".
* Only the last component of a hyphenated compound is matched on its own ("US-Sondergesandte" contains
  *Sondergesandter*), since the last component is the compound's head; "Terrormiliz-Kämpfer" is a fighter,
  not a militia.

Number: whether an occurrence is plural decides which English form the output needs ("Terrormilizen" →
"terrorist militias"). It is read from the head noun's ending relative to its lemma and from a preceding
determiner; see :func:`_is_plural`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from glossator.glossary.model import Glossary, Term, english_singular

__all__ = ["TermMatch", "TermMatcher", "source_number", "tokenize"]

# Words of letters/digits, hyphenated compounds kept whole ("Corona-Krise", "US-Soldaten"); underscores are
# not word characters here (they never occur in German prose and would glue placeholders to words).
_TOKEN_RE = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*")
_HYPHEN_CHARS = "-\u2010\u2011"  # hyphen-minus, hyphen, non-breaking hyphen
_HYPHENS = str.maketrans("", "", _HYPHEN_CHARS)
_UMLAUTS = str.maketrans("äöü", "aou")


@dataclass(frozen=True)
class TermMatch:
    """One occurrence of a glossary term in a German sentence.

    ``start``/``end`` are character offsets into the sentence (``sentence[start:end] == surface``);
    ``plural`` is the German number of the occurrence.
    """

    term: Term
    start: int
    end: int
    surface: str
    plural: bool

    @property
    def english(self) -> str:
        """The English form the output must contain: the target as listed when the occurrence has the number of
        the German term as listed (or number does not apply, see :func:`source_number`); the plural target for a
        plural occurrence of a singular term ("Terrormilizen" → "terrorist militias"), the singular target for a
        singular occurrence of a plural one ("dem Patienten" for *Patienten* → "patient")."""
        term = self.term
        number = None if term.do_not_translate else source_number(term.source)
        if number is None or number == self.plural:
            return term.english
        return term.english_plural if self.plural else english_singular(term.english)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view: where the term matched, in which form, and what the output needs."""
        return {
            "source": self.term.source,
            "target": self.term.target,
            "start": self.start,
            "end": self.end,
            "surface": self.surface,
            "plural": self.plural,
            "english": self.english,
        }


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[_Token]:
    """Split *text* into word tokens (hyphenated compounds kept whole) with their character offsets."""
    return [_Token(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


# --- lemmatizer access -------------------------------------------------------------------------------------
# simplemma loads its German dictionary on the first call (~1 s), so it is imported and called only here,
# never at import time.


@lru_cache(maxsize=262_144)
def _lemma(token: str, greedy: bool = False) -> str:
    import simplemma

    return str(simplemma.lemmatize(token, lang="de", greedy=greedy))


@lru_cache(maxsize=65_536)
def _known(token: str) -> bool:
    import simplemma

    return bool(simplemma.is_known(token, lang="de"))


def _fold(word: str) -> str:
    """Comparison key: case-folded (ß → ss), hyphen-less, so "Corona-Krise" == "Coronakrise"."""
    return word.translate(_HYPHENS).casefold()


def _spellings(token: str) -> tuple[str, ...]:
    # As written, lower-cased and capitalised: simplemma's answer for declined adjectives and
    # sentence-initial words depends on the capitalisation it is given.
    return tuple(dict.fromkeys((token, token.lower(), token[:1].upper() + token[1:].lower())))


@lru_cache(maxsize=262_144)
def _text_keys(token: str) -> frozenset[str]:
    """Every key a token in running text may stand for: its spelling, its lemmas, its compound-head lemma."""
    keys = {_fold(token)}
    for spelling in _spellings(token):
        keys.add(_fold(_lemma(spelling)))
        keys.add(_fold(_lemma(spelling, greedy=True)))
    if "-" in token:
        # simplemma rarely lists hyphenated compounds: lemmatize the head and keep the rest as written.
        head_start = token.rfind("-") + 1
        for spelling in _spellings(token[head_start:]):
            keys.add(_fold(token[:head_start] + _lemma(spelling)))
    if len(token) > 3 and token.endswith("s") and token[-2].islower() and not _known(token):
        # Genitive of a name the dictionary does not know ("Soleimanis"): the one inflection names take.
        keys.add(_fold(token[:-1]))
    return frozenset(keys)


@lru_cache(maxsize=262_144)
def _exact_forms(token: str) -> frozenset[str]:
    """Case-preserving forms of a token, for case-sensitive terms."""
    return frozenset({token.translate(_HYPHENS), _lemma(token).translate(_HYPHENS)})


# --- patterns ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PatternToken:
    text: str
    keys: frozenset[str]
    must_capitalise: bool  # a capitalised adjective inside a proper name ("Islamischer Staat")
    bare_adjective: str | None  # folded uninflected form that must not stand for an inflected one


@dataclass(frozen=True)
class _Pattern:
    term: Term
    tokens: tuple[_PatternToken, ...]
    gaps: tuple[str, ...]  # what stands between consecutive words, spaces removed ("" for a plain space)
    order: int  # position of the term in the glossary: earlier wins a tie
    # Punctuation that is part of the term before its first / after its last word ("C++" → suffix "++",
    # "[IS]" → "[" and "]"): the text must have it there too, or "C++" would match every standalone "C".
    prefix: str = ""
    suffix: str = ""


def _adjective_lemma(word: str) -> str | None:
    """The uninflected form of *word* if it is an inflected adjective ("Strategischer" → "strategisch"), else None."""
    lemma = _lemma(word.lower())
    if lemma == word.lower():  # not in the dictionary ("systemische"): decompose greedily
        lemma = _lemma(word.lower(), greedy=True)
    return lemma if lemma.islower() and lemma != word.lower() else None


@lru_cache(maxsize=65_536)
def source_number(source: str) -> bool | None:
    """The German number of a glossary term as listed: True plural ("Beckenverletzungen"), False singular
    ("Terrormiliz", "Strategischer Dialog"), None where number agreement does not apply — the last word is no
    noun (German capitalises every noun: "psychische", "inklusive") or not the head of the phrase (a noun, a
    name, an article, a preposition or a conjunction comes before it: "Kollektiv von 24 Patienten", "Kassem
    Soleimani", "Haut- und Weichteile").

    A glossary's target translates the term as listed, so an occurrence of the same number needs the target as
    listed, whatever its English form ("impediment" for *Beeinträchtigungen* stays).
    """
    words = [t.text for t in tokenize(source)]
    if not words or not words[-1][:1].isupper() or not words[-1][:1].isalpha():
        return None
    for word in words[:-1]:
        if word.lower() in _FUNCTION_WORDS or (word[:1].isupper() and _adjective_lemma(word) is None):
            return None
    return _is_plural(words[-1], _noun_lemma(words[-1]), None)  # as an occurrence's number is read (_make_match)


def _noun_lemma(word: str) -> str:
    """The lemma number is read against: the dictionary's, or for a compound it does not list
    ("Beckenverletzungen") the greedy decomposition's."""
    lemma = _lemma(word)
    return _lemma(word, greedy=True) if lemma == word else lemma


def _pattern_tokens(source: str) -> tuple[_PatternToken, ...]:
    words = [t.text for t in tokenize(source)]
    result = []
    for index, word in enumerate(words):
        keys = {_fold(word)}
        for spelling in _spellings(word):
            keys |= {_fold(_lemma(spelling)), _fold(_lemma(spelling, greedy=True))}
        adjective_lemma = _adjective_lemma(word)
        is_adjective = index < len(words) - 1 and adjective_lemma is not None
        result.append(
            _PatternToken(
                text=word,
                keys=frozenset(keys),
                must_capitalise=is_adjective and word[:1].isupper(),
                bare_adjective=_fold(adjective_lemma) if is_adjective and adjective_lemma else None,
            )
        )
    return tuple(result)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- number ------------------------------------------------------------------------------------------------

# Closed-class words before a noun that settle its number where the ending cannot ("des Sondergesandten"
# is singular, "die beiden Milizenführer" plural). Only unambiguous forms are listed: "der", "die", "den"
# are both singular and plural.
_SINGULAR_DETERMINERS = _words("des dem ein eine einem einen einer eines dieses diesem jedes jedem jeden jeder jede")
# Determiners that fit both numbers end the search without a verdict ("einer der Stützpunkte").
_AMBIGUOUS_DETERMINERS = _words(
    "der die das den deren dessen diese diesen jene jenen ihre ihren seine seinen keine keinen welche solche"
)
# Words that end a noun phrase or join two (a term holding one has its head elsewhere or several heads).
_FUNCTION_WORDS = _words(
    "der die das des dem den ein eine einer eines einem einen und oder sowie bzw von vom mit für zu zum zur bei "
    "beim in im an am auf aus nach über unter vor zwischen durch gegen ohne um bis seit wegen trotz als wie gemäß"
)
_PLURAL_DETERMINERS = _words(
    "zwei drei vier fünf sechs sieben acht neun zehn elf zwölf hundert tausend beide beiden mehrere "
    "mehreren einige einigen viele vielen zahlreiche zahlreichen wenige wenigen alle allen sämtliche "
    "sämtlichen"
)


def _is_plural(surface: str, base: str, determiner: str | None) -> bool:
    """German number of a head noun *surface* whose lemma is *base*.

    The lemmatizer gives the lemma but not the number, so the number is read from what the surface adds to
    the lemma: nothing → singular; "-s"/"-es" → genitive singular ("des Dialogs", "des Staates"), except
    after a vowel-final lemma where "-s" is the plural ("Autos"); "-e", "-er", "-en", "-n", "-ern" or an
    umlauted stem → plural ("Stützpunkte", "Terrormilizen", "Krisenländern"). A preceding determiner
    overrides where the ending is ambiguous: weak nouns take "-en" in the singular too ("des
    Dschihadisten", "dem Sondergesandten").
    """
    if determiner in _SINGULAR_DETERMINERS:
        return False
    if determiner in _PLURAL_DETERMINERS or (determiner is not None and determiner.isdigit() and determiner != "1"):
        return True
    word, lemma = _fold(surface), _fold(base)
    plain_word, plain_lemma = word.translate(_UMLAUTS), lemma.translate(_UMLAUTS)
    if not plain_word.startswith(plain_lemma):
        return False  # a suppletive or unknown form: singular is the safe reading (no plural forced)
    umlauted = word[: len(lemma)] != lemma
    ending = plain_word[len(plain_lemma) :]
    if ending in ("s", "es"):
        # "-s" is a plural only after a full vowel, and only for words the dictionary knows: an unknown
        # name ending in a vowel takes "-s" in the genitive ("Kassem Soleimanis").
        return ending == "s" and lemma[-1:] in "aiouy" and _known(surface)
    return umlauted or ending in ("e", "er", "en", "n", "ern", "nen")


# --- matcher -----------------------------------------------------------------------------------------------


class TermMatcher:
    """Finds the terms of a glossary in German sentences (build once, call :meth:`find` per sentence).

    Patterns (each term's source and variants) are indexed by the keys of their last word — the head noun
    of a German noun phrase, the most specific word — so finding costs one dictionary look-up per token
    and key, whatever the glossary's size, and only patterns ending in that word are verified.
    Deprecated entries are not matched unless ``include_deprecated``.
    """

    def __init__(self, glossary: Glossary | Iterable[Term], *, include_deprecated: bool = False) -> None:
        terms = glossary.terms if isinstance(glossary, Glossary) else tuple(glossary)
        self._index: dict[str, list[_Pattern]] = {}
        order = 0
        for term in terms:
            if term.status == "deprecated" and not include_deprecated:
                continue
            for source in dict.fromkeys((term.source, *term.variants)):
                tokens = _pattern_tokens(source)
                words = tokenize(source)
                gaps = _gaps(source, words)
                if not tokens or None in gaps:  # nothing to match, or a blank line inside the term
                    continue
                pattern = _Pattern(
                    term=term,
                    tokens=tokens,
                    gaps=tuple(g for g in gaps if g is not None),
                    order=order,
                    prefix="".join(source[: words[0].start].split()),
                    suffix="".join(source[words[-1].end :].split()),
                )
                order += 1
                for key in tokens[-1].keys:
                    self._index.setdefault(key, []).append(pattern)

    def find(self, text: str) -> list[TermMatch]:
        """All term occurrences in *text*: longest match first, no overlaps, sorted by start offset.

        Example: ``TermMatcher(g).find("im Zuge eines Strategischen Dialogs")`` → one match for
        *Strategischer Dialog* with ``surface="Strategischen Dialogs"`` and ``plural=False``.
        """
        tokens = tokenize(text)
        if not tokens:
            return []
        gaps = _gaps(text, tokens)
        # (-length, start, not exact, order, pattern, last, end)
        candidates: list[tuple[int, int, bool, int, _Pattern, int, int]] = []
        for j, token in enumerate(tokens):
            for head_start, word in self._words_at(token):
                head_only = head_start != token.start  # the last component of a hyphenated compound
                seen: set[int] = set()
                for key in _text_keys(word):
                    for pattern in self._index.get(key, ()):
                        if id(pattern) in seen:
                            continue
                        seen.add(id(pattern))
                        size = len(pattern.tokens)
                        i = j - size + 1
                        if i < 0 or (head_only and size > 1):
                            continue
                        firsts = [(head_start, word)] if size == 1 else self._words_at(tokens[i])
                        for start, first in firsts:
                            if self._matches_at(pattern, tokens, gaps, i, first):
                                end = token.end
                                if pattern.prefix or pattern.suffix:
                                    edges = _affixed(text, start, end, pattern.prefix, pattern.suffix)
                                    if edges is None:
                                        break
                                    start, end = edges
                                # Two entries for one word ("Sevofluran", "Sevoflurans"): the one spelt as in the
                                # text wins, so each occurrence goes to its own entry.
                                words = [first, *(t.text for t in tokens[i + 1 : j + 1])]
                                exact = [_fold(w) for w in words] == [_fold(t.text) for t in pattern.tokens]
                                candidates.append((start - end, start, not exact, pattern.order, pattern, j, end))
                                break
        candidates.sort(key=lambda c: (c[0], c[1], c[2], c[3]))
        occupied = bytearray(len(text))
        matches: list[TermMatch] = []
        for _, start, _, _, pattern, last, end in candidates:
            if occupied.find(1, start, end) != -1:
                continue
            occupied[start:end] = b"\x01" * (end - start)
            matches.append(self._make_match(text, tokens, pattern, start, last, end))
        matches.sort(key=lambda m: m.start)
        return matches

    @staticmethod
    def _words_at(token: _Token) -> list[tuple[int, str]]:
        """The token itself, then the last component of a hyphenated compound, with their start offsets."""
        words = [(token.start, token.text)]
        cut = max(token.text.rfind(h) for h in _HYPHEN_CHARS)
        if cut > 0:
            words.append((token.start + cut + 1, token.text[cut + 1 :]))
        return words

    @staticmethod
    def _matches_at(
        pattern: _Pattern, tokens: Sequence[_Token], gaps: Sequence[str | None], i: int, first: str
    ) -> bool:
        """Does *pattern* match the tokens from *i* on, its first word being *first* (a token or its head)?"""
        case_sensitive = pattern.term.case_sensitive
        for offset, ptoken in enumerate(pattern.tokens):
            k = i + offset
            word = first if offset == 0 else tokens[k].text
            if offset > 0 and gaps[k - 1] != pattern.gaps[offset - 1]:
                return False
            if case_sensitive:
                if not (_exact_forms(word) & _exact_forms(ptoken.text)):
                    return False
                if ptoken.text.isupper() and not word.isupper():
                    return False
            elif not (_text_keys(word) & ptoken.keys):
                return False
            if ptoken.must_capitalise and not word[:1].isupper():
                return False
            if ptoken.bare_adjective is not None and _fold(word) == ptoken.bare_adjective:
                return False
        return True

    @staticmethod
    def _make_match(
        text: str, tokens: Sequence[_Token], pattern: _Pattern, start: int, last: int, end: int
    ) -> TermMatch:
        head = tokens[last].text
        word_start = start + len(pattern.prefix)
        while word_start < end and text[word_start] in _SPACES:
            word_start += 1
        if len(pattern.tokens) == 1 and word_start > tokens[last].start:
            head = text[word_start : tokens[last].end]  # the head component of a hyphenated compound
        first_index = last - len(pattern.tokens) + 1
        determiner = _determiner_before(text, tokens, first_index)
        base = _noun_lemma(pattern.tokens[-1].text)
        plural = _is_plural(head, base, determiner) if head[:1].isalpha() else False
        return TermMatch(term=pattern.term, start=start, end=end, surface=text[start:end], plural=plural)


_SPACES = " \t\u00a0\u2009\u202f"  # spaces inside a line, the no-break and thin ones of "90 %" included


def _affixed(text: str, start: int, end: int, prefix: str, suffix: str) -> tuple[int, int] | None:
    """The span of a match whose words are text[start:end] with the term's punctuation before and after ("C++",
    "[IS]", "90 %"), or None when the text lacks it. Spaces between the words and that punctuation may differ
    from the term's: "90 %", "90%" and "90\u202f%" are one term."""
    if prefix:
        at = start
        while at > 0 and text[at - 1] in _SPACES:
            at -= 1
        if text[max(0, at - len(prefix)) : at] != prefix:
            return None
        start = at - len(prefix)
    if suffix:
        at = end
        while at < len(text) and text[at] in _SPACES:
            at += 1
        if text[at : at + len(suffix)] != suffix:
            return None
        end = at + len(suffix)
    return start, end


def _gaps(text: str, tokens: Sequence[_Token]) -> list[str | None]:
    """What separates consecutive tokens, spaces removed: "" for a space, "(" for " (", None across a blank line.

    Words of a term must be separated in the text as in the term: by a space for "Strategischer Dialog", so
    "… strategisch. Dialog" is no match; by " (" for "systemische Sklerodermie (SSc)".
    """
    result: list[str | None] = []
    for a, b in itertools.pairwise(tokens):
        gap = text[a.end : b.start]
        result.append(None if "\n\n" in gap.replace("\r", "") else "".join(gap.split()))
    return result


def _determiner_before(text: str, tokens: Sequence[_Token], index: int, reach: int = 3) -> str | None:
    """The nearest number-marking word before token *index*, looking past lower-case inflected adjectives only:
    a preposition, a unit or any other word ends the noun phrase ("1988 als Diagnose", "63 mg Methadon" say
    nothing about the number of *Diagnose* or *Methadon*)."""
    k = index - 1
    while k >= 0 and index - k <= reach:
        gap = text[tokens[k].end : tokens[k + 1].start]
        if gap and not gap.isspace():
            return None
        word = tokens[k].text.lower()
        if word in _AMBIGUOUS_DETERMINERS:
            return None
        if word in _SINGULAR_DETERMINERS or word in _PLURAL_DETERMINERS or word.isdigit():
            return word
        if not tokens[k].text[:1].islower() or _adjective_lemma(tokens[k].text) is None:
            return None  # a noun or a name, or no adjective: the phrase ends here
        k -= 1
    return None
