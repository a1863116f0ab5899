"""The ``crf`` backend of the tokens stage: word segmentation and POS tags in one pass."""
from __future__ import annotations

from pipeline.processors.tokens.backends import Backend
from pipeline.lexicons.words import MAX_WORD, NAME_LIST, VERSION, WORD_LISTS, load_dictionary
from pipeline.resources import ThreadTaggers, resource_path, shared, thread_taggers
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
            starts[i] = longest
            last = i + longest - 1
            if ends[last] < longest:
                ends[last] = longest
            for j in range(i + 1, last + 1):
                if inside[j] < longest:
                    inside[j] = longest
    return starts, ends, inside


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
            self._taggers, self._dicts = shipped_model()
        else:
            self._taggers, self._dicts = ThreadTaggers(model), dicts

    load_dictionary = staticmethod(load_dictionary)

    @classmethod
    def load_dictionaries(cls) -> tuple[frozenset[str], ...]:
        """The ``dicts`` argument of :meth:`features`: (words, prefixes) of both word lists, of the
        place names (case kept), and of the pyvi list alone."""
        return (*load_dictionary(), *load_dictionary((NAME_LIST,), lower=False), *load_dictionary(WORD_LISTS[1:]))

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

    def spans(self, sentence: str) -> list[tuple[int, int, str | None]]:
        """Words of ``sentence`` as ``(start, end, tag)``: the model works on syllables found in the
        sentence itself, so it knows their offsets and no alignment is needed."""
        matches = list(SYLLABLE.finditer(sentence))
        if not matches:
            return []
        syllables, low, shapes = describe(matches)
        spans = [m.span() for m in matches]
        labels = self._taggers.get().tag(self.features(syllables, low, shapes, self._dicts))
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


@shared
def shipped_model() -> tuple[ThreadTaggers, tuple[frozenset[str], ...]]:
    """The shipped model and its dictionaries (:meth:`CrfBackend.load_dictionaries`), once per process."""
    return thread_taggers(str(resource_path(CrfBackend.MODEL))), CrfBackend.load_dictionaries()
