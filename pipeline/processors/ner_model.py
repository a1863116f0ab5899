"""The ``ner_model`` stage: a statistical fallback behind the rule stages for names they do not list.

A python-crfsuite model over syllables tags PER/LOC/ORG (BIO). Its proposals become entities
``PERSON`` (a person not known as an official), ``PLACE``, ``LOCATION`` (a structure or landmark:
"cầu Bạch Đằng", "Cửa khẩu Lao Bảo") and ``ORG`` with ``source="model"``, and only where no
entity already in ``doc.entities`` overlaps them (an ORG or LOCATION may contain a rule PLACE,
or the rule PERSON it is named after): the rules win where they fire, so run this stage after
all entity stages.

The model is trained on research-only data (VLSP 2018 NER train, PhoNER_COVID19 train, and
with ``--vlsp2016-dev --vlsp2018-dev`` VLSP 2016 NER dev and VLSP 2018 NER dev) and is therefore
never committed: ``python3 -m pipeline.train.ner --vlsp2016-dev --vlsp2018-dev`` builds it into
``models/local/`` from ``../shared/data``. Without it the stage does nothing (a warning is logged
once) and the pipeline works with rules only.

Features (shared with the trainer, :meth:`NerModelTagger.features`): the syllable and its
neighbours lowercased, syllable bigrams, the shapes of three syllables, the length of the
capitalised run the syllable is in and its place in it, whether a capitalised run starts with a
family name (``models/surnames.tsv``), and whether the syllable starts or continues a place
name of the gazetteer snapshot ``models/segpos_names_*.tsv``; and word-level features from the
``tokens`` layer (crf backend: word boundaries and POS tags such as Np/N/V): the syllable's place in
its word (B/I), the word's length and tag, the tags of the previous and next words, the word and
its neighbours lowercased (syllables joined by "_": "công_ty", "giám_đốc"). The stage uses
``doc.tokens`` when they carry tags and otherwise runs the tokens stage's crf backend itself; the
trainer runs the same tokenizer on each training sentence, so training and tagging match.
"""
from __future__ import annotations

import logging

import regex

from pipeline.base import Processor
from pipeline.document import Document
from pipeline.text.patterns import NAME_INITIAL
from pipeline.lexicons.people import honorifics, surnames
from pipeline.lexicons.places import span_heads
from pipeline.lexicons.words import place_names, segmenter_words
from pipeline.resources import ResourceError, read_tsv, resource_path, shared, thread_taggers
from pipeline.spans import Occupancy, SpanIndex
from pipeline.text.syllables import SYLLABLE, describe, longest_word_at

log = logging.getLogger(__name__)

LABELS = {"PER": "PERSON", "LOC": "PLACE", "ORG": "ORG"}
# a LOC proposal headed by a lowercase word ("cầu Bạch Đằng", "sân bay Long Thành", "kênh Nhiêu Lộc")
# other than an administrative or settlement word, by an organisation noun ("Bệnh viện Chợ Rẫy") or
# by words before a rule PLACE or PERSON ("Cửa khẩu Lao Bảo") names a structure or landmark, not a
# place of the annotation format: it becomes a LOCATION (NerModelTagger._landmark)
LOCATION = "LOCATION"
# rule labels an ORG or LOCATION proposal may contain: a PLACE (UBND tỉnh X, cầu X) anywhere, a PERSON
# after other words (the namesake in "Trường tiểu học Hoàng Diệu", "đường Nguyễn Huệ")
_NESTABLE = frozenset({"PLACE", "PERSON"})
_PREV_WORD = regex.compile(r"(\w+)[ \t]*$")
_NEXT_WORD = regex.compile(r"[ \t]*(\w+)")
_LAST_WORD = regex.compile(r"(?<!\w)\w+$")
_TAIL = regex.compile(r"[.!?\n]([^.!?\n]*)\s*$")
# searched backwards from the end: the blanks that end the text, and the last sentence end before them
_END_BLANKS = regex.compile(r"\s*\Z", regex.REVERSE)
_LAST_STOP = regex.compile(r"[.!?\n]", regex.REVERSE)
_WORDS = regex.compile(r"\w+")
_BYLINE_CHARS = regex.compile(r"[\w \t\-–,/&()]+")
_NAME_START = regex.compile(r"(?<![\w])\p{Lu}")
_DASH_AFTER = regex.compile(r"[ \t]*[-–][ \t]*(\w+)")
_DASH_BEFORE = regex.compile(r"(\w+)[ \t]*[-–][ \t]*$")


class NerModelTagger(Processor):
    """Adds PERSON/PLACE/ORG/LOCATION proposals of the NER CRF where no rule entity overlaps.

    A LOC proposal headed by a lowercase word ("cầu Bạch Đằng", "sân bay Long Thành", "kênh Nhiêu
    Lộc"), by an organisation noun ("Bệnh viện Chợ Rẫy") or by words before a place or person the
    rules found ("Cửa khẩu Lao Bảo", "Đường Nguyễn Huệ") is a LOCATION, not a PLACE: the
    annotation format's PLACE is an administrative unit, a settlement, a region or a natural
    feature, and a structure or landmark named after one is not ("Long Thành" stays the PLACE).
    The head words the places stage keeps in a PLACE span ("xã", "ấp", "sông", "núi":
    :func:`pipeline.lexicons.places.span_heads`) and the ``place_head`` rows of the filters file ("vùng")
    keep a PLACE.

    Options: ``model`` (file name under ``models/``, default :attr:`MODEL`), ``labels``
    (subset of PERSON, PLACE, ORG, LOCATION to add; default all four), ``propagate`` (True: other
    mentions in the document of a name the model found get the same label, "anh Thanh" ...
    "Thanh nói", and so does the given name alone of a PERSON it found, "Trần Văn Thanh" ...
    "Thanh"), ``nest_org`` (True: an ORG proposal may contain a rule PLACE, as in
    "UBND tỉnh Tuyên Quang"; both are kept, nesting is allowed by the output format; a LOCATION
    always may: "cầu Bạch Đằng"),
    ``consistent`` (True: a name the model labelled differently in one document gets everywhere
    the label it got in most of its mentions, "Thùy" PERSON three times and PLACE once).
    """

    name = "ner_model"
    requires = frozenset({"sentences", "tokens"})
    provides = frozenset({"entities"})

    VERSION = "20261127c"
    MODEL = f"local/ner_crf_vlsp2018_phoner_{VERSION}.crfsuite"
    FILTERS = f"ner_model_filters_{VERSION}.tsv"
    def __init__(self, model: str | None = None, labels: list[str] | tuple[str, ...] | None = None,
                 propagate: bool = True, nest_org: bool = True, consistent: bool = True, **config) -> None:
        super().__init__(**config)
        self.propagate = propagate
        self.consistent = consistent
        self.nest_org = nest_org
        self.model_name = model or self.MODEL
        self.labels = frozenset(labels or (*LABELS.values(), LOCATION))
        try:
            self.taggers = thread_taggers(str(resource_path(self.model_name)))
        except ResourceError:
            log.warning("ner_model: %s not built (python3 -m pipeline.train.ner --vlsp2016-dev --vlsp2018-dev); "
                        "the stage adds nothing", self.model_name)
            self.taggers = None
        self.resources = self.load_resources()
        self._words = segmenter_words()[0]
        rows = read_tsv(self.FILTERS)
        self._not_name = frozenset(r["word"] for r in rows if r["kind"] == "not_name")
        self._not_name_re = regex.compile(
            r"(?<!\w)(?:" + "|".join(map(regex.escape, sorted(self._not_name, key=len, reverse=True)))
            + r")(?!\w)") if self._not_name else None
        heads = sorted((r["word"] for r in rows if r["kind"] == "org_head"), key=len, reverse=True)
        self._org_head = regex.compile(r"(?:" + "|".join(map(regex.escape, heads)) + r")(?!\w)") if heads else None
        address = [h for h, kind in honorifics().items() if kind in ("courtesy", "academic", "rank", "religious")]
        address += [r["word"] for r in rows if r["kind"] == "address"]
        self._address = regex.compile(r"(?:" + "|".join(map(regex.escape, sorted(address, key=len, reverse=True)))
                                      + r")\.?(?=[ \t])", regex.IGNORECASE) if address else None
        # what the places stage keeps in a PLACE span ("xã", "ấp", "sông") and its compass words, so that
        # a model PLACE agrees with a rule one; plus the filters' own settlement and region words
        place_heads, self._directions = span_heads()
        heads = sorted(place_heads | {r["word"] for r in rows if r["kind"] == "place_head"}, key=len, reverse=True)
        self._place_head = regex.compile(r"(?:" + "|".join(map(regex.escape, heads)) + r")(?!\w)")

    @staticmethod
    def word_info(spans: list[tuple[int, int]], tokens) -> list[tuple[int, int, int, str]]:
        """(word number, place of the syllable in its word, word length in syllables, word tag) of
        each syllable ``spans`` (sorted offsets); ``tokens`` (:class:`pipeline.document.Token`,
        sorted) are the words. A syllable outside every token is a one-syllable word "X"."""
        out: list[list] = []
        k = 0
        ntok = len(tokens)
        last_tok = -1
        wid = -1
        for s, e in spans:
            while k < ntok and tokens[k].end <= s:
                k += 1
            if k < ntok and tokens[k].start <= s and e <= tokens[k].end:
                if k != last_tok:
                    wid += 1
                    last_tok = k
                    pos = 0
                else:
                    pos += 1
                out.append([wid, pos, 0, tokens[k].pos or "X"])
            else:
                wid += 1
                last_tok = -1
                out.append([wid, 0, 0, "X"])
        # word lengths
        i = 0
        n = len(out)
        while i < n:
            j = i
            while j < n and out[j][0] == out[i][0]:
                j += 1
            for q in range(i, j):
                out[q][2] = j - i
            i = j
        return [tuple(x) for x in out]

    @property
    def available(self) -> bool:
        """Whether the model file was found (else the stage is a no-op)."""
        return self.taggers is not None

    @staticmethod
    def load_resources() -> tuple:
        """(place names, place-name prefixes, surnames) for :meth:`features`, loaded once per process."""
        return feature_resources()

    @staticmethod
    def features(syllables: list[str], low: list[str], shapes: list[str], resources: tuple,
                 words: list[tuple[int, int, int, str]] | None = None) -> list[list[str]]:
        """Feature strings of each syllable of a sentence, for training and tagging alike;
        ``words``: :meth:`word_info` of the syllables (None: every syllable a word tagged "X")."""
        names, name_prefixes, surnames = resources
        n = len(low)
        gaz = ["g:0"] * n
        run = ["r:0"] * n
        i = 0
        while i < n:
            if shapes[i] not in ("C", "U"):
                i += 1
                continue
            j = i
            while j < n and shapes[j] in ("C", "U"):
                j += 1
            length = min(j - i, 5)
            fam = "f" if syllables[i] in surnames else "-"
            for k in range(i, j):
                run[k] = f"r:{length}{min(k - i, 3)}{fam}"
            # longest gazetteer name starting at each capitalised syllable of the run
            for k in range(i, j - 1):
                longest = longest_word_at(syllables, k, names, name_prefixes, 4)
                if longest and gaz[k] == "g:0":
                    gaz[k] = "g:B"
                    for q in range(k + 1, k + longest):
                        gaz[q] = "g:I"
            i = j
        if words is None:
            words = [(i, 0, 1, "X") for i in range(n)]
        wtags: list[str] = []  # tag of each word, by word number
        for wid, _, _, tag in words:
            if wid == len(wtags):
                wtags.append(tag)
        wtags = ["<s>"] + wtags + ["</s>"]
        wforms = [""] * (len(wtags) - 2)  # lowercased words (syllables joined by "_"), by word number
        for i in range(n):
            wid = words[i][0]
            wforms[wid] = wforms[wid] + "_" + low[i] if words[i][1] else low[i]
        wforms = ["<s>"] + wforms + ["</s>"]
        lp = ["<s>", "<s>"] + low + ["</s>", "</s>"]
        sp = ["<", "<"] + shapes + [">", ">"]
        out = []
        for i in range(n):
            j = i + 2
            w, p, q = lp[j], lp[j - 1], lp[j + 1]
            wid, place, length, tag = words[i]
            prev_tag, next_tag = wtags[wid], wtags[wid + 2]
            bi = "B" if place == 0 else "I"
            out.append([
                "w:" + w, "p:" + p, "n:" + q, "pp:" + lp[j - 2], "nn:" + lp[j + 2],
                "pw:" + p + " " + w, "wn:" + w + " " + q,
                "s:" + sp[j - 1] + sp[j] + sp[j + 1], "S:" + sp[j - 2] + sp[j - 1] + sp[j] + sp[j + 1] + sp[j + 2],
                run[i], gaz[i],
                "t:" + bi + tag, "tl:" + bi + str(min(length, 4)) + tag,
                "tp:" + prev_tag + " " + tag, "tn:" + tag + " " + next_tag,
                "tpn:" + prev_tag + " " + tag + " " + next_tag, "ts:" + tag + sp[j],
                "Wp:" + wforms[wid], "Wn:" + wforms[wid + 2], "Ww:" + wforms[wid + 1],
            ])
        return out

    def tag(self, text: str, tokens: list, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
        """(model label PER/LOC/ORG, start, end) of ``text[start:end]``, offsets into ``text``;
        ``tokens``: the words of that piece with their POS tags (from the tokens stage)."""
        if self.taggers is None:
            return []
        end = len(text) if end is None else end
        matches = list(SYLLABLE.finditer(text, start, end))
        if not matches:
            return []
        syllables, low, shapes = describe(matches)
        words = self.word_info([m.span() for m in matches], tokens)
        labels = self.taggers.get().tag(self.features(syllables, low, shapes, self.resources, words))
        spans: list[tuple[str, int, int]] = []
        cur = None
        for m, lab in zip(matches, labels):
            if lab == "O":
                cur = None
                continue
            kind = lab[2:]
            if lab[0] == "B" or cur is None or cur[0] != kind:
                cur = [kind, m.start(), m.end()]
                spans.append(cur)
            else:
                cur[2] = m.end()
        out = []
        for kind, s, e in spans:
            if kind == "PER":
                s = self._person_start(text, s, e)
                if s is None:
                    continue
            out.append((kind, s, e))
        return out

    def _person_start(self, text: str, s: int, e: int) -> int | None:
        """Start of the name in a PER span ``s:e`` that begins with a form of address ("Bác Năm",
        "Mẹ Hiền": the courtesy, academic, rank and religious forms of models/honorifics.tsv and the
        ``address`` rows of the filters file); the format's span is the name without it. None when
        nothing of a name is left."""
        m = self._address.match(text, s, e) if self._address is not None else None
        if m is None:
            return s
        rest = _NAME_START.search(text, m.end(), e)
        return rest.start() if rest else None

    def __call__(self, doc: Document) -> Document:
        if self.taggers is None:
            return doc
        text = doc.text
        taken = SpanIndex((e.start, e.end, e.label) for e in doc.entities)  # the rule entities
        added = Occupancy(0, len(text))
        surfaces: dict[str, set[str]] = {}
        tokens = doc.tokens
        proposals: list[tuple[str, int, int]] = []
        k = 0
        for sent in doc.sentences:
            ps, pe = sent.start, sent.end
            while k < len(tokens) and tokens[k].end <= ps:
                k += 1
            q = k
            while q < len(tokens) and tokens[q].start < pe:
                q += 1
            for kind, s, e in self.tag(text, tokens[k:q], ps, pe):
                label = LABELS[kind]
                if label == "PLACE" and self._landmark(text, s, e, taken):
                    label = LOCATION
                e = self._abbreviation_end(text, s, e)
                proposals.append((label, s, e))
        if self.consistent:
            proposals = self._consistent(text, proposals)
        byline = self._byline_start(text)
        if byline is not None:  # a byline names authors or agencies, not places
            proposals = [p for p in proposals if p[0] not in ("PLACE", LOCATION) or p[1] < byline]
        for label, s, e in proposals:
            if (label not in self.labels or not self._plausible(text, label, s, e)
                    or self._filtered(text, label, s, e)):
                continue
            if not self._free(taken, added, label, s, e):
                continue
            doc.add_entity(label, s, e, source="model")
            added.take(s, e)
            surfaces.setdefault(text[s:e], set()).add(label)
        if self.propagate and surfaces:
            # a person's given name alone ("anh Thanh" after "Nguyễn Văn Thanh") is that person
            places = {e.text for e in doc.entities if e.label == "PLACE"}
            for e in doc.entities:
                if e.label == "PERSON" and " " in e.text:
                    given = e.text.rsplit(" ", 1)[1]
                    if given[:1].isupper() and given not in places and given not in surfaces:
                        surfaces[given] = {"PERSON"}
            self._propagate(doc, taken, added, surfaces)
        return doc

    @staticmethod
    def _byline_start(text: str) -> int | None:
        """Start of the byline that ends a news text ("... xây dựng. Hải Đăng - Thu Hà"): a short
        tail after the last sentence end made only of capitalised words and separators."""
        # the first mark _TAIL can match at is the last one before the blanks that end the text (or the
        # first of those blanks): no mark before it is followed by marks and blanks only, so the search
        # starts there instead of trying every mark of the text
        blanks = _END_BLANKS.search(text).start()
        last = _LAST_STOP.search(text, 0, blanks)
        m = _TAIL.search(text, last.start() if last else blanks)
        if m is None:
            return None
        tail = m.group(1)
        words = _WORDS.findall(tail)
        if not words or len(tail.strip()) > 60 or not all(w[0].isupper() for w in words):
            return None
        if _BYLINE_CHARS.fullmatch(tail) is None:
            return None
        return m.start(1)

    @staticmethod
    def _consistent(text: str, proposals: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        """One label per name in a document: where the model gave the same surface several labels,
        the label it gave more often than all the others together is given to every mention."""
        counts: dict[str, dict[str, int]] = {}
        for label, s, e in proposals:
            c = counts.setdefault(text[s:e], {})
            c[label] = c.get(label, 0) + 1
        major = {}
        for surface, c in counts.items():
            if len(c) > 1:
                label, n = max(c.items(), key=lambda x: x[1])
                if 2 * n > sum(c.values()):
                    major[surface] = label
        if not major:
            return proposals
        return [(major.get(text[s:e], label), s, e) for label, s, e in proposals]

    @staticmethod
    def _abbreviation_end(text: str, start: int, end: int) -> int:
        """A name that ends in an initial ("Nguyễn Văn Ph", "Th", "Công ty sữa F") keeps the dot
        written right after it: "Ph." is the name as written (the syllable regex cuts the dot off).
        An initial is what the officials stage takes for one (:data:`pipeline.text.patterns.NAME_INITIAL`):
        "Hãng F.", but not "người VN." or "Nguyễn Văn An."."""
        if end < len(text) and text[end] == ".":
            m = _LAST_WORD.search(text, start, end)
            if m and NAME_INITIAL.fullmatch(text, m.start(), end + 1):
                return end + 1
        return end

    def _landmark(self, text: str, s: int, e: int, taken: SpanIndex = SpanIndex()) -> bool:
        """A LOC proposal that names a structure or landmark: headed by a lowercase word that is not
        an administrative or settlement word, by an organisation noun, or by any words before a
        place or person the rules found ("Cửa khẩu **Lao Bảo**", "Khu thương mại **Lao Bảo**",
        "Đường **Nguyễn Huệ**"; ``taken``: (start, end, label) of the rule entities)."""
        if self._place_head.match(text, s, e) is not None:
            return False
        if text[s].islower():
            return True
        if self._org_head is not None and self._org_head.match(text, s, e) is not None:
            return True
        return any(tl in _NESTABLE and s < ts and te == e for ts, te, tl in taken.inside(s, e))

    def _filtered(self, text: str, label: str, s: int, e: int) -> bool:
        """A proposal the filters reject: a common institution word; a PERSON/PLACE/LOCATION
        capitalised only by such a word; a PERSON or PLACE that starts with the head noun of an
        organisation name (a LOCATION may: "Bệnh viện Chợ Rẫy"; the byline is handled in
        :meth:`__call__`)."""
        span = text[s:e]
        if label == "ORG":
            return False  # "Đảng", "Quốc hội": an institution word may well name an organisation
        if span in self._not_name:
            return True
        if span in self._directions and self._axis(text, s, e):
            return True  # "trục Bắc - Nam": an axis, not a place
        if self._not_name_re is not None and not any(c.isupper() for c in self._not_name_re.sub("", span)):
            return True  # capitalised only by an institution word: "thành phố trực thuộc Trung ương"
        return label != LOCATION and self._org_head is not None and self._org_head.match(text, s, e) is not None

    def _axis(self, text: str, s: int, e: int) -> bool:
        """The compass point ``text[s:e]`` is joined by a dash to another one ("Bắc - Nam")."""
        after = _DASH_AFTER.match(text, e)
        before = _DASH_BEFORE.search(text, max(0, s - 12), s)
        return bool((after and after.group(1) in self._directions)
                    or (before and before.group(1) in self._directions))

    def _free(self, taken, added, label: str, s: int, e: int) -> bool:
        """No entity overlaps ``s:e``; a LOCATION, and with ``nest_org`` an ORG, may contain (not cross)
        rule PLACEs, and rule PERSONs after other words (their namesakes)."""
        nests = label == LOCATION or (self.nest_org and label == "ORG")
        for ts, te, tl in taken.overlaps(s, e):
            inside = s < ts if tl == "PERSON" else s <= ts
            if not (nests and tl in _NESTABLE and inside and te <= e and (s, e) != (ts, te)):
                return False
        return added.free(s, e)

    def _propagate(self, doc: Document, taken, added, surfaces: dict[str, set[str]]) -> None:
        """Tag the other mentions of a name the model found elsewhere in the document, when the
        mention is a whole capitalised run, does not begin a dictionary word with the next
        syllable, and the name got one label only."""
        names = sorted((n for n, labels in surfaces.items() if len(labels) == 1), key=len, reverse=True)
        if not names:
            return
        text = doc.text
        pattern = regex.compile(r"(?<!\w)(?:" + "|".join(map(regex.escape, names)) + r")(?!\w)")
        for m in pattern.finditer(text):
            s, e = m.span()
            before = _PREV_WORD.search(text, max(0, s - 40), s)
            after = _NEXT_WORD.match(text, e)
            if (before and before.group(1)[0].isupper()) or (after and after.group(1)[0].isupper()):
                continue  # part of a longer capitalised name
            if after and (m.group() + " " + after.group(1)).lower() in self._words:
                continue  # a common word at the start of a sentence ("An toàn", "Thành công")
            label = next(iter(surfaces[m.group()]))
            if not self._free(taken, added, label, s, e):
                continue
            doc.add_entity(label, s, e, source="model")
            added.take(s, e)

    @staticmethod
    def _plausible(text: str, label: str, start: int, end: int) -> bool:
        """A name holds a capital letter (or starts with a digit) and does not end in punctuation."""
        span = text[start:end]
        if not (span[0].isdigit() or any(c.isupper() for c in span)):
            return False
        return span[-1].isalnum() or span[-1] in ".)"


@shared
def feature_resources() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(place names, their prefixes, family names) for the model's features, once per process."""
    names, prefixes = place_names()
    return names, prefixes, frozenset(surnames())


