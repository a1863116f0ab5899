"""The ``crf`` backend of the tokens stage: word segmentation and POS tags in one pass."""
from __future__ import annotations

import re
import struct
from functools import lru_cache, partial
from itertools import compress, product, repeat
from operator import itemgetter

from pipeline.processors.tokens.backends import Backend
from pipeline.lexicons.words import (MAX_WORD, NAME_LIST, VERSION, WORD_LISTS, load_dictionaries, load_dictionary,
                                    shipped_dictionaries)
from pipeline.resources import ResourceError, ThreadTaggers, resource_path, shared, thread_taggers
from pipeline.text.syllables import SYLLABLE, describe, longest_word_at


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
        longest = longest_word_at(seq, i, words, prefixes, max_word)
        if longest:
            _mark_word(starts, ends, inside, i, longest)
    return starts, ends, inside


def _mark_word(starts: list[int], ends: list[int], inside: list[int], i: int, length: int) -> None:
    """Record a dictionary word of ``length`` syllables starting at ``i``: the longest word starting
    there, ending at its last syllable, and covering each syllable after its first."""
    starts[i] = length
    last = i + length - 1
    if ends[last] < length:
        ends[last] = length
    for j in range(i + 1, last + 1):
        if inside[j] < length:
            inside[j] = length


def model_attributes(path: str) -> list[bytes]:
    """The attribute names of a CRFsuite model file (a first-order CRF written by python-crfsuite),
    read from its attribute dictionary: the feature strings the model has weights for. Every other
    feature string is dropped by CRFsuite itself when a sequence is tagged."""
    with open(path, "rb") as f:
        buf = f.read()
    try:
        return _read_attributes(buf, path)
    except struct.error as exc:
        raise ResourceError(f"{path}: not a complete CRFsuite model ({exc})") from None


def _read_attributes(buf: bytes, path: str) -> list[bytes]:
    # file header: magic, size, type, version, then 8 counts and offsets; the 6th is the attributes'
    magic, _, kind, _, _, _, num_attrs, _, _, off_attrs, _, _ = struct.unpack_from("<4sI4s9I", buf, 0)
    if magic != b"lCRF" or kind != b"FOMC":
        raise ResourceError(f"{path}: not a CRFsuite model of a first-order CRF")
    # the attribute dictionary (a CQDB chunk): header, 256 hash table references, then the records
    # (id, size, name with its NUL) back to back up to the first hash table
    chunk, size, _, order, _, _ = struct.unpack_from("<4s5I", buf, off_attrs)
    if chunk != b"CQDB" or order != 0x62445371:
        raise ResourceError(f"{path}: unexpected attribute dictionary")
    refs = struct.unpack_from("<512I", buf, off_attrs + 24)
    end = off_attrs + min([refs[i] for i in range(0, 512, 2) if refs[i]] or [size])
    pos = off_attrs + 24 + 2048
    names = []
    while pos < end:
        _, length = struct.unpack_from("<iI", buf, pos)
        names.append(buf[pos + 8:pos + 7 + length])
        pos += 8 + length
    if len(names) != num_attrs:
        raise ResourceError(f"{path}: {len(names)} attributes read, the header says {num_attrs}")
    return names


class ModelFeatures:
    """The features of :meth:`CrfBackend.features` as the tagger needs them, fast: each item is the
    tuple of its feature strings that the model knows (UTF-8 bytes, in the same order), the others
    left out, which is what CRFsuite does with them anyway, so the labels are the same. Every string
    is looked up in tables built once from the model's attributes (by syllable, pair of syllables,
    shape triple or dictionary code) instead of being formatted; dictionary words are found by
    walking tries of syllables. The tables never change after ``__init__``: threads share them."""

    _UNIGRAMS = ("w", "p", "n", "pp", "nn")
    _PAIRS = ("pw", "wn", "ppp", "nnn")

    def __init__(self, attributes: list[bytes], dicts: tuple[frozenset[str], ...], max_word: int) -> None:
        words, prefixes, names, name_prefixes, pyvi, pyvi_prefixes = dicts
        self.max_word = max_word
        self.names, self.name_prefixes = names, name_prefixes
        self.words, self.prefixes, self.pyvi, self.pyvi_prefixes = words, prefixes, pyvi, pyvi_prefixes
        self.entries = words | prefixes | pyvi | pyvi_prefixes  # where a search can start
        by_kind: dict[str, dict] = {k: {} for k in (*self._UNIGRAMS, *self._PAIRS, "s", "cr", "d", "e")}
        pair_kinds = frozenset(self._PAIRS)
        for raw in attributes:
            kind, _, value = raw.decode("utf-8").partition(":")
            if kind in pair_kinds:
                by_kind[kind][tuple(value.split(" "))] = raw  # never matched unless two syllables
            elif kind in by_kind:
                by_kind[kind][tuple(value) if kind == "s" else value] = raw
        # "w:" + the syllable, "p:" + the one before, ...: syllable -> feature
        self.w, self.p, self.n, self.pp, self.nn = (by_kind[k] for k in self._UNIGRAMS)
        # "pw:" + previous + " " + this, "wn:", "ppp:", "nnn:": (syllable, syllable) -> the four features
        tables = [by_kind[k] for k in self._PAIRS]
        pairs = list(set().union(*tables))
        self.pairs = dict(zip(pairs, zip(*(map(t.get, pairs) for t in tables))))
        # "s:" + shapes of this, the previous and the next syllable (one character each) -> feature
        self.s = by_kind["s"]
        crs = by_kind["cr"]
        self.cap_run = tuple(tuple(tuple(crs.get(f"{a}{b}{c}") for c in (0, 1)) for b in range(4))
                             for a in range(5))
        # (start, end, inside, previous start, place name 0/1/2) -> "d:..." / "e:..." feature
        self.d, self.e = {}, {}
        r = range(max_word + 1)
        for key in product(r, r, r, r, range(3)):
            value = "".join(map(str, key[:4])) + "0BI"[key[4]]
            for kind, table in (("d", self.d), ("e", self.e)):
                if value in by_kind[kind]:
                    table[key] = by_kind[kind][value]

    def matches(self, low: list[str]) -> tuple[tuple[list[int], ...], tuple[list[int], ...]]:
        """For each syllable, in both word lists (the first, then the pyvi list): the longest word
        starting there, ending there, covering it without starting there, starting at the previous
        syllable (what ``_dict_matches`` gives for each list)."""
        n = len(low)
        starts, ends, inside = [0] * n, [0] * n, [0] * n
        pstarts, pends, pinside = [0] * n, [0] * n, [0] * n
        max_word = self.max_word
        words, prefixes, pyvi, pyvi_prefixes = self.words, self.prefixes, self.pyvi, self.pyvi_prefixes
        keys = list(map(" ".join, zip(low, low[1:])))
        for i in compress(range(n - 1), map(self.entries.__contains__, keys)):
            # one search for both lists, as longest_word_at does for each: a list's search stops
            # where the syllables so far are not one of its prefixes
            key = keys[i]
            k = 2
            longest = plongest = 0
            word_on = pyvi_on = True
            while True:
                if word_on:
                    if key in words:
                        longest = k
                    word_on = key in prefixes
                if pyvi_on:
                    if key in pyvi:
                        plongest = k
                    pyvi_on = key in pyvi_prefixes
                if not (word_on or pyvi_on) or i + k >= n or k >= max_word:
                    break
                key = key + " " + low[i + k]
                k += 1
            if longest:
                _mark_word(starts, ends, inside, i, longest)
            if plongest:
                _mark_word(pstarts, pends, pinside, i, plongest)
        return (starts, ends, inside, [0, *starts[:-1]]), (pstarts, pends, pinside, [0, *pstarts[:-1]])

    def items(self, syllables: list[str], low: list[str], shapes: list[str]) -> list[tuple[bytes, ...]]:
        """The known features of each syllable of a sentence, in the order of :meth:`CrfBackend.features`."""
        n = len(low)
        name_at = [0] * n
        names, name_prefixes, max_word = self.names, self.name_prefixes, self.max_word
        for i in compress(range(n - 1), [s == "C" for s in shapes]):
            longest = longest_word_at(syllables, i, names, name_prefixes, max_word)
            if longest:
                name_at[i] = 1
                for j in range(i + 1, i + longest):
                    name_at[j] = 2
        cap_run = self.cap_run
        caps = [cap_run[0][0][0]] * n
        for m in _CAPITALISED_RUN.finditer("".join(shapes)):
            i, j = m.span()
            row = cap_run[min(j - i, 4)]
            for k in range(i, j):
                caps[k] = row[min(k - i, 3)][k == 0]
        words, pyvi = self.matches(low)
        lp = ["<s>", "<s>", *low, "</s>", "</s>"]
        sp = ["<", "<", *shapes, ">", ">"]
        pairs = list(map(self.pairs.get, zip(lp, lp[1:]), repeat(_NO_PAIR)))
        return list(map(tuple, map(_known, zip(
            map(self.w.get, low), map(self.p.get, lp[1:n + 1]), map(self.n.get, lp[3:n + 3]),
            map(self.pp.get, lp[:n]), map(self.nn.get, lp[4:]),
            map(_first, pairs[1:n + 1]), map(_second, pairs[2:n + 2]),
            map(_third, pairs[:n]), map(_fourth, pairs[3:n + 3]),
            map(self.s.get, zip(shapes, sp[1:n + 1], sp[3:n + 3])),
            caps,
            map(self.e.get, zip(*pyvi, name_at)),
            map(self.d.get, zip(*words, name_at))))))


@lru_cache(maxsize=1024)
def _tag_of_label(label: str) -> str:
    """The POS tag of a joint label ("B-Np" -> "Np"): one string object per tag, shared by every token,
    not a new slice per token (a million tokens held 50 MB of copies of "N" and "V")."""
    return label[2:]


_TAG_OF_LABEL = _tag_of_label
_NO_PAIR = (None, None, None, None)
_first, _second, _third, _fourth = (itemgetter(i) for i in range(4))
_CAPITALISED_RUN = re.compile("[CU]+")  # shape classes are one character each
_known = partial(filter, None)  # the features of an item that the model knows (the others are None)


class CrfBackend(Backend):
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
    VERSION = VERSION
    MODEL = f"segpos_crf_vtb_{VERSION}.crfsuite"
    WORD_LISTS = WORD_LISTS
    NAME_LIST = NAME_LIST
    MAX_WORD = MAX_WORD  # longest dictionary word looked up, in syllables
    # "d:<longest word starting here><ending here><covering here><starting at the previous syllable>
    # <place name: 0 no, B starts, I continues>", formatted once
    _DICT = _crf_dict_features(MAX_WORD)
    _DICT_PYVI = _crf_dict_features(MAX_WORD, "e")
    _CAP_RUN = tuple(tuple(tuple(f"cr:{a}{b}{int(c)}" for c in (False, True)) for b in range(4)) for a in range(5))

    def __init__(self, model=None, dicts: tuple | None = None) -> None:
        """The shipped model and word lists (shared by the process), or, for the trainer, the model
        file ``model`` with the dictionaries ``dicts`` (words, prefixes, names, name prefixes)."""
        try:
            import pycrfsuite  # noqa: F401
        except ImportError as exc:  # pragma: no cover - declared dependency
            raise ImportError("the crf backend needs the package python-crfsuite: "
                              "pip install python-crfsuite") from exc
        if model is None:
            self._taggers, self._dicts, self._model = shipped_model()
        else:
            self._taggers, self._dicts = ThreadTaggers(model), dicts
            self._model = ModelFeatures(model_attributes(str(model)), dicts, self.MAX_WORD)

    load_dictionary = staticmethod(load_dictionary)

    @classmethod
    def load_dictionaries(cls) -> tuple[frozenset[str], ...]:
        """The ``dicts`` argument of :meth:`features`: (words, prefixes) of both word lists, of the
        place names (case kept), and of the pyvi list alone."""
        return load_dictionaries()

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
            longest = longest_word_at(syllables, i, names, name_prefixes, cls.MAX_WORD)
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

    def spans(self, sentence: str, offset: int = 0) -> list[tuple[int, int, str | None]]:
        """Words of ``sentence`` as ``(start, end, tag)``, offsets plus ``offset``: the model works on
        syllables found in the sentence itself, so it knows their offsets and no alignment is needed."""
        matches = list(SYLLABLE.finditer(sentence))
        if not matches:
            return []
        labels = self._taggers.get().tag(self._model.items(*describe(matches)))
        # a word starts at a "B-" label (and at the first syllable whatever its label) and ends
        # before the next one; its tag is its first syllable's
        heads = [i for i, label in enumerate(labels) if label[0] == "B"]
        if not heads or heads[0]:
            heads.insert(0, 0)
        lasts = [i - 1 for i in heads[1:]]
        lasts.append(len(labels) - 1)
        tag = _TAG_OF_LABEL
        return [(matches[h].start() + offset, matches[e].end() + offset, tag(labels[h]))
                for h, e in zip(heads, lasts)]

    def __call__(self, sentence: str) -> list[tuple[str, str | None]]:
        return [(sentence[s:e], tag) for s, e, tag in self.spans(sentence)]


@shared
def shipped_model() -> tuple[ThreadTaggers, tuple[frozenset[str], ...], ModelFeatures]:
    """The shipped model, its dictionaries (:meth:`CrfBackend.load_dictionaries`) and the tables of
    :class:`ModelFeatures`, once per process."""
    path = str(resource_path(CrfBackend.MODEL))
    dicts = shipped_dictionaries()
    return thread_taggers(path), dicts, ModelFeatures(model_attributes(path), dicts, CrfBackend.MAX_WORD)
