"""The ``tokens`` stage: word segmentation and part-of-speech tags, as offsets into the text.

Backends (option ``backend``):
- ``crf`` (default): our own python-crfsuite model doing segmentation and POS
  in one pass, trained on UD_Vietnamese-VTB (``python3 -m pipeline.train.segpos``);
  the most accurate and fastest on VTB test (bench/RESULTS.md);
- ``pyvi``: pyvi's CRF segmenter and POS tagger;
- ``underthesea``: underthesea's ``pos_tag`` (segmentation and tags in one call);
- ``syllables``: every syllable, number or punctuation mark a token, no tags
  (no model at all: the fastest, for users who only need entities).

Whatever the backend, the result is corrected by the same constraints:
sequences listed in ``models/token_patterns.tsv`` (``TT&TT``, ``NĐ-CP``,
``30/7/2020``, ``1.234,5``, URLs) are one token, never split and never glued
to a neighbour; a personal name (a surname from ``models/surnames.tsv``
followed by capitalised syllables) is one token tagged ``Np``. Backends are
run sentence by sentence, so a huge document never becomes one giant call.
"""
from __future__ import annotations

import re
from typing import Callable

from pipeline.base import Processor
from pipeline.document import Document, Token
from pipeline.resources import ResourceError, read_tsv

_SYLLABLE = re.compile(r"\w+(?:[.,]\d+)*|[^\w\s]")
_CAP_SYLLABLE = r"[^\W\d_a-zđ]\w*"


class _Backend:
    """Segments and tags one sentence: returns a list of (word, tag), words may contain spaces or '_'."""

    name = ""

    def __call__(self, sentence: str) -> list[tuple[str, str | None]]:  # pragma: no cover
        raise NotImplementedError


class _PyviBackend(_Backend):
    name = "pyvi"

    def __init__(self) -> None:
        try:
            from pyvi import ViPosTagger, ViTokenizer
        except ImportError as exc:  # pragma: no cover - declared dependency
            raise ImportError("the pyvi backend needs the package pyvi: pip install pyvi") from exc
        self._tokenize = ViTokenizer.tokenize
        self._tag = ViPosTagger.postagging

    def __call__(self, sentence: str) -> list[tuple[str, str | None]]:
        words, tags = self._tag(self._tokenize(sentence))
        return list(zip(words, tags))


class _UnderthesesBackend(_Backend):
    name = "underthesea"

    def __init__(self) -> None:
        try:
            from underthesea import pos_tag
        except ImportError as exc:  # pragma: no cover - declared dependency
            raise ImportError("the underthesea backend needs the package underthesea: "
                              "pip install underthesea") from exc
        self._pos_tag = pos_tag

    def __call__(self, sentence: str) -> list[tuple[str, str | None]]:
        return [(w, t) for w, t in self._pos_tag(sentence)]


class _SyllableBackend(_Backend):
    name = "syllables"

    def __call__(self, sentence: str) -> list[tuple[str, str | None]]:
        return [(m.group(), None) for m in _SYLLABLE.finditer(sentence)]


def _longest_word_at(seq: list[str], i: int, words: frozenset[str], prefixes: frozenset[str],
                     max_word: int) -> int:
    """Length in syllables of the longest word of ``words`` starting at ``seq[i]`` (0 if none);
    ``prefixes`` (the words' proper prefixes) lets the search stop as soon as nothing can match."""
    n = len(seq)
    key = seq[i] + " " + seq[i + 1]
    k = 2
    longest = 0
    while True:
        if key in words:
            longest = k
        if key not in prefixes or i + k >= n or k >= max_word:
            return longest
        key = key + " " + seq[i + k]
        k += 1


def _crf_dict_features(max_word: int, prefix: str = "d") -> tuple:
    """All dictionary feature strings of the crf backend, indexed [start][end][inside][previous][name]."""
    r = range(max_word + 1)
    return tuple(tuple(tuple(tuple(tuple(f"{prefix}:{a}{b}{c}{d}{e}" for e in "0BI") for d in r) for c in r)
                       for b in r) for a in r)


def _dict_matches(seq: list[str], words: frozenset[str], prefixes: frozenset[str],
                  max_word: int) -> tuple[list[int], list[int], list[int]]:
    """For each position of ``seq``: the length of the longest dictionary word starting there, ending
    there, and covering it without starting there (0: none)."""
    n = len(seq)
    starts = [0] * n
    ends = [0] * n
    inside = [0] * n
    for i in range(n - 1):
        longest = _longest_word_at(seq, i, words, prefixes, max_word)
        if longest:
            starts[i] = longest
            last = i + longest - 1
            if ends[last] < longest:
                ends[last] = longest
            for j in range(i + 1, last + 1):
                if inside[j] < longest:
                    inside[j] = longest
    return starts, ends, inside


class _CrfBackend(_Backend):
    """Word segmentation and POS in one pass: a python-crfsuite model over syllables.

    Each syllable gets a joint label ``B-<tag>`` (starts a word) or ``I-<tag>``
    (continues it); a word's tag is its first syllable's. The model
    (``models/segpos_crf_vtb_<VERSION>.crfsuite``) is trained by
    ``python3 -m pipeline.train.segpos`` on UD_Vietnamese-VTB train+dev
    (CC BY-SA 4.0), tags mapped to pyvi's tag set (N, Np, V, A, R, E, ...).
    Features: the syllable and its neighbours (lowercased), syllable bigrams,
    a shape class of three syllables, where the syllable falls in the
    longest dictionary word starting/ending/covering it (lowercased word
    lists ``segpos_words_vtb_*.tsv`` + ``segpos_words_pyvi_*.tsv``, and
    again with the pyvi list alone: the VTB list holds every word of the
    training data, so the model learns separately how far a word that only
    pyvi knows can be trusted), and whether it starts or continues a
    capitalised place name (``segpos_names_*.tsv``, case-sensitive), and
    the length of the run of capitalised syllables it is in and its place in
    the run (names are one word in VTB). :meth:`features` is shared with
    the trainer. The model and word lists are loaded once per process.
    """

    name = "crf"
    VERSION = "20261127b"
    MODEL = f"segpos_crf_vtb_{VERSION}.crfsuite"
    WORD_LISTS = (f"segpos_words_vtb_{VERSION}.tsv", f"segpos_words_pyvi_{VERSION}.tsv")
    NAME_LIST = f"segpos_names_{VERSION}.tsv"
    MAX_WORD = 4  # longest dictionary word looked up, in syllables
    # "d:<longest word starting here><ending here><covering here><starting at the previous syllable>
    # <place name: 0 no, B starts, I continues>", formatted once
    _DICT = _crf_dict_features(MAX_WORD)
    _DICT_PYVI = _crf_dict_features(MAX_WORD, "e")
    _CAP_RUN = tuple(tuple(tuple(f"cr:{a}{b}{int(c)}" for c in (False, True)) for b in range(4)) for a in range(5))
    _PUNCT_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-",
                                 "…": "."})

    _shared: dict[str, tuple] = {}

    def __init__(self, model=None, dicts: tuple | None = None) -> None:
        """The shipped model and word lists (shared by the process), or, for the trainer, the model
        file ``model`` with the dictionaries ``dicts`` (words, prefixes, names, name prefixes)."""
        try:
            import pycrfsuite
        except ImportError as exc:  # pragma: no cover - declared dependency
            raise ImportError("the crf backend needs the package python-crfsuite: "
                              "pip install python-crfsuite") from exc
        if model is not None:
            tagger = pycrfsuite.Tagger()
            tagger.open(str(model))
            self._tagger, self._dicts = tagger, dicts
            self._info = {}
            return
        if "model" not in self._shared:
            from pipeline.resources import resource_path
            tagger = pycrfsuite.Tagger()
            tagger.open(str(resource_path(self.MODEL)))
            self._shared["model"] = (tagger, self.load_dictionaries())
        self._tagger, self._dicts = self._shared["model"]
        self._info: dict[str, tuple[str, str]] = {}

    @classmethod
    def load_dictionary(cls, names: tuple[str, ...] | None = None,
                        lower: bool = True) -> tuple[frozenset[str], frozenset[str]]:
        """The multi-syllable words of the word lists (syllables joined by one space; lowercased
        unless ``lower`` is false) and their proper prefixes of two or more syllables (so a lookup
        can stop early)."""
        words: set[str] = set()
        for name in names or cls.WORD_LISTS:
            words.update(row["word"].lower() if lower else row["word"] for row in read_tsv(name))
        words = {w for w in words if " " in w and w.count(" ") < cls.MAX_WORD}
        prefixes = set()
        for w in words:
            parts = w.split(" ")
            for k in range(2, len(parts)):
                prefixes.add(" ".join(parts[:k]))
        return frozenset(words), frozenset(prefixes)

    @classmethod
    def load_dictionaries(cls) -> tuple[frozenset[str], ...]:
        """The ``dicts`` argument of :meth:`features`: (words, prefixes) of both word lists, of the
        place names (case kept), and of the pyvi list alone."""
        return (*cls.load_dictionary(), *cls.load_dictionary((cls.NAME_LIST,), lower=False),
                *cls.load_dictionary(cls.WORD_LISTS[1:]))

    @classmethod
    def syllable_info(cls, syllable: str) -> tuple[str, str]:
        """(lowercased form with curly quotes and dashes folded, shape class) of one syllable."""
        low = syllable.lower().translate(cls._PUNCT_FOLD)
        first = syllable[0]
        if syllable.isdigit():
            shape = "D"
        elif first.isdigit():
            shape = "d"
        elif not first.isalnum():
            shape = low if len(low) == 1 else "P"
        elif syllable.isupper():
            shape = "U" if len(syllable) > 1 else "C"
        elif first.isupper():
            shape = "C"
        else:
            shape = "l"
        return low, shape

    @classmethod
    def features(cls, syllables: list[str], low: list[str], shapes: list[str],
                 dicts: tuple[frozenset[str], ...]) -> list[list[str]]:
        """Feature strings of each syllable of a sentence (``low``: the syllables lowercased,
        ``shapes``: their shape classes; ``dicts``: from :meth:`load_dictionaries`),
        for training and tagging alike."""
        words, prefixes, names, name_prefixes, pyvi, pyvi_prefixes = dicts
        n = len(low)
        name_at = [0] * n  # 1: a place name starts here, 2: continues
        for i in range(n - 1):
            if shapes[i] != "C":
                continue
            longest = _longest_word_at(syllables, i, names, name_prefixes, cls.MAX_WORD)
            if longest:
                name_at[i] = 1
                for j in range(i + 1, i + longest):
                    name_at[j] = 2
        # capitalised runs (names): the run's length (at most 4, 0: not capitalised), the syllable's place
        # in it (at most 3) and whether the syllable opens the sentence; every syllable gets one, fixed width
        caps = [cls._CAP_RUN[0][0][0]] * n
        i = 0
        while i < n:
            if shapes[i] == "C" or shapes[i] == "U":
                j = i + 1
                while j < n and (shapes[j] == "C" or shapes[j] == "U"):
                    j += 1
                length = min(j - i, 4)
                for k in range(i, j):
                    caps[k] = cls._CAP_RUN[length][min(k - i, 3)][k == 0]
                i = j
            else:
                i += 1
        starts, ends, inside = _dict_matches(low, words, prefixes, cls.MAX_WORD)
        pstarts, pends, pinside = _dict_matches(low, pyvi, pyvi_prefixes, cls.MAX_WORD)
        lp = ["<s>", "<s>"] + low + ["</s>", "</s>"]
        sp = ["<", "<"] + shapes + [">", ">"]
        dd = cls._DICT
        de = cls._DICT_PYVI
        out = []
        prev_start = prev_pstart = 0
        for i in range(n):
            j = i + 2
            w, p, q = lp[j], lp[j - 1], lp[j + 1]
            out.append([
                "w:" + w, "p:" + p, "n:" + q, "pp:" + lp[j - 2], "nn:" + lp[j + 2],
                "pw:" + p + " " + w, "wn:" + w + " " + q,
                "ppp:" + lp[j - 2] + " " + p, "nnn:" + q + " " + lp[j + 2],
                "s:" + sp[j] + sp[j - 1] + sp[j + 1],
                caps[i],
                de[pstarts[i]][pends[i]][pinside[i]][prev_pstart][name_at[i]],
                dd[starts[i]][ends[i]][inside[i]][prev_start][name_at[i]],
            ])
            prev_start = starts[i]
            prev_pstart = pstarts[i]
        return out

    @classmethod
    def describe(cls, matches: list, cache: dict) -> tuple[list[str], list[str], list[str]]:
        """Syllables of the regex ``matches`` with their lowercased form and shape class, looked up
        in ``cache`` (a per-process dict, emptied when it grows too large)."""
        syllables, low, shapes = [], [], []
        for m in matches:
            syl = m.group()
            got = cache.get(syl)
            if got is None:
                if len(cache) > 200_000:
                    cache.clear()
                got = cache[syl] = cls.syllable_info(syl)
            syllables.append(syl)
            low.append(got[0])
            shapes.append(got[1])
        return syllables, low, shapes

    def spans(self, sentence: str) -> list[tuple[int, int, str | None]]:
        """Words of ``sentence`` as ``(start, end, tag)``: the model works on syllables found in the
        sentence itself, so it knows their offsets and no alignment is needed."""
        matches = list(_SYLLABLE.finditer(sentence))
        if not matches:
            return []
        syllables, low, shapes = self.describe(matches, self._info)
        spans = [m.span() for m in matches]
        labels = self._tagger.tag(self.features(syllables, low, shapes, self._dicts))
        out: list[tuple[int, int, str | None]] = []
        start, end = spans[0]
        tag = labels[0][2:]
        for (s, e), label in zip(spans[1:], labels[1:]):
            if label[0] == "B":
                out.append((start, end, tag))
                start, tag = s, label[2:]
            end = e
        out.append((start, end, tag))
        return out

    def __call__(self, sentence: str) -> list[tuple[str, str | None]]:
        return [(sentence[s:e], tag) for s, e, tag in self.spans(sentence)]


BACKENDS: dict[str, Callable[[], _Backend]] = {
    "pyvi": _PyviBackend,
    "underthesea": _UnderthesesBackend,
    "syllables": _SyllableBackend,
    "crf": _CrfBackend,
}


def align(sentence: str, words: list[tuple[str, str | None]], offset: int = 0) -> list[Token]:
    """Find each backend word in ``sentence`` and return tokens with offsets (plus ``offset``).

    A word's syllables may be joined by spaces or underscores; whitespace in the
    text between them is skipped. A word that cannot be found where expected
    (a backend that rewrote a character) is searched for a little further on and
    dropped if absent, so the offsets never lie.
    """
    tokens: list[Token] = []
    pos = 0
    n = len(sentence)
    for word, tag in words:
        chars = [c for c in word.replace("_", " ") if not c.isspace()]
        if not chars:
            continue
        i = pos
        while i < n and sentence[i].isspace():
            i += 1
        start = i
        ok = True
        for c in chars:
            while i < n and sentence[i].isspace() and c != sentence[i]:
                i += 1
            if i < n and sentence[i] == c:
                i += 1
            elif i < n and c == "_" and sentence[i] == "_":
                i += 1
            else:
                ok = False
                break
        if not ok:
            first = word.replace("_", " ").split()[0]
            found = sentence.find(first, pos, pos + 200)
            if found < 0:
                continue
            start, i = found, found + len(first)
        tokens.append(Token(start + offset, i + offset, tag))
        pos = i
    return tokens


class Tokenizer(Processor):
    """Adds ``doc.tokens``. Options: ``backend`` ("crf", "pyvi", "underthesea", "syllables"), ``merge_names`` (True)."""

    name = "tokens"
    requires = frozenset({"sentences"})
    provides = frozenset({"tokens"})

    def __init__(self, backend: str = "crf", merge_names: bool = True, **config) -> None:
        super().__init__(**config)
        if backend not in BACKENDS:
            raise ValueError(f"unknown tokenizer backend {backend!r}; choose one of {', '.join(BACKENDS)}")
        self.backend_name = backend
        self.backend = BACKENDS[backend]()
        rows = read_tsv("token_patterns.tsv")
        self._protected = re.compile("|".join(f"(?P<{r['name']}>{r['pattern']})" for r in rows))
        self._protected_pos = {r["name"]: r["pos"] for r in rows}
        self._names = None
        if merge_names:
            try:
                surnames = sorted({r["surname"] for r in read_tsv("surnames.tsv")}, key=len, reverse=True)
            except (ResourceError, KeyError):
                surnames = []
            if surnames:
                alternation = "|".join(map(re.escape, surnames))
                self._names = re.compile(
                    rf"(?<!\w)(?:{alternation})(?: {_CAP_SYLLABLE}){{1,4}}(?!\w)")

    def _constraints(self, text: str) -> list[tuple[int, int, str | None]]:
        spans = [(m.start(), m.end(), self._protected_pos[m.lastgroup])
                 for m in self._protected.finditer(text)]
        if self._names is not None:
            spans += [(m.start(), m.end(), "Np") for m in self._names.finditer(text)]
        spans.sort(key=lambda s: (s[0], -s[1]))
        kept: list[tuple[int, int, str | None]] = []
        for s in spans:  # first and longest wins; overlaps dropped
            if not kept or s[0] >= kept[-1][1]:
                kept.append(s)
        return kept

    @staticmethod
    def _apply(text: str, tokens: list[Token],
               constraints: list[tuple[int, int, str | None]]) -> list[Token]:
        """Cut tokens at constraint boundaries, then merge everything inside each constraint."""
        if not constraints:
            return tokens
        cuts = sorted({p for s, e, _ in constraints for p in (s, e)})
        pieces: list[Token] = []
        ci = 0
        for t in tokens:
            while ci < len(cuts) and cuts[ci] <= t.start:
                ci += 1
            start = t.start
            j = ci
            while j < len(cuts) and cuts[j] < t.end:
                pieces.append(Token(start, cuts[j], t.pos))
                start = cuts[j]
                j += 1
            pieces.append(Token(start, t.end, t.pos))
        for t in pieces:  # a cut may leave the space between two words at a piece's edge
            while t.start < t.end and text[t.start].isspace():
                t.start += 1
            while t.end > t.start and text[t.end - 1].isspace():
                t.end -= 1
        pieces = [t for t in pieces if t.end > t.start]
        out: list[Token] = []
        k = 0
        for t in pieces:
            while k < len(constraints) and constraints[k][1] <= t.start:
                k += 1
            if k < len(constraints) and constraints[k][0] <= t.start and t.end <= constraints[k][1]:
                s, e, pos = constraints[k]
                if out and out[-1].start == s and out[-1].end == e:
                    continue
                out.append(Token(s, e, pos or t.pos))
            else:
                out.append(t)
        return out

    def tokenize(self, text: str, start: int = 0, end: int | None = None) -> list[Token]:
        """Tokens of ``text[start:end]`` with offsets into ``text``."""
        end = len(text) if end is None else end
        piece = text[start:end]
        if not piece.strip():
            return []
        direct = getattr(self.backend, "spans", None)
        if direct is not None:
            tokens = [Token(s + start, e + start, tag) for s, e, tag in direct(piece)]
        else:
            tokens = align(piece, self.backend(piece), offset=start)
        return self._apply(text, tokens, [(s + start, e + start, p) for s, e, p in self._constraints(piece)])

    def __call__(self, doc: Document) -> Document:
        tokens: list[Token] = []
        for sent in doc.sentences:
            tokens.extend(self.tokenize(doc.text, sent.start, sent.end))
        doc.tokens = tokens
        return doc
