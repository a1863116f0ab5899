"""The regular expressions of the MINISTRY stage, built from the registry
(:mod:`pipeline.lexicons.ministries`) and the cue words of ``models/ministry_cues.tsv``.

The field forms are long alternations grouped by first letter (``_alternation``), compiled with
stdlib ``re`` (``_rx``), and tried only where a cheap scan (``_trigger_regex``) finds a word a
match can start with. These alternations are not ``text.patterns.trie_pattern``: their branches
are regexes, not words (separators such as "GD&ĐT" / "GD và ĐT" and old-style tones are
tolerated between and inside words), and the trigger scan folds case for some words only.
"""
from __future__ import annotations

import re
from typing import Iterable

from pipeline.lexicons.ministries import MinistryRegistry
from pipeline.resources import read_tsv
from pipeline.text.compiled import compile_pattern
from pipeline.text.vietnamese import is_abbreviation, old_tone_style

CUES_FILE = "ministry_cues.tsv"

# Between the words of a written-out name: spaces, or a comma/dash/ampersand, optionally followed by "và"
# ("Giao thông - Vận tải", "Lao động, Thương binh và Xã hội", "Kế hoạch và Đầu tư").
_WORD_GAP = r"(?:\s*[,\-–—&]\s*(?:và\s+)?|\s+và\s+|\s+)"
# Between the segments of an abbreviation: "GD&ĐT", "GD-ĐT", "GDĐT", "GD và ĐT", "VH, TT&DL".
_ABBR_GAP = r"(?:\s*[,\-–—&]\s*|\s+và\s+|\s?)"
_END = r"(?![\w&])"
# stdlib ``re`` has no \p{..} classes; the letters of Latin scripts (Vietnamese included) are listed instead
_U = "[" + "".join(chr(c) for c in range(0x41, 0x1F00) if chr(c).isupper() and chr(c).isalpha()) + "]"
_L = "[" + "".join(chr(c) for c in range(0x61, 0x1F00) if chr(c).islower() and chr(c).isalpha()) + "]"


def _rx(pattern: str, flags: int = 0) -> re.Pattern:
    """Compile with stdlib ``re`` (much faster per match than ``regex`` on these big alternations), after
    turning ``\\p{Lu}``, ``\\p{Ll}`` and ``\\p{L}`` into classes ``re`` knows."""
    pattern = pattern.replace(r"\p{Lu}", _U).replace(r"\p{Ll}", _L).replace(r"\p{L}", r"[^\W\d_]")
    return compile_pattern(pattern, flags)


def _form_regex(form: str) -> tuple[str, str]:
    """Regex source for one written form, split into its first character and the rest; tolerant of
    separators and (for names) of old-style tones."""
    if is_abbreviation(form):
        segments = [s for s in re.split(r"\s*[,\-–—&]\s*|\s+và\s+|\s+", form) if s]
        return segments[0][0], _ABBR_GAP.join([re.escape(segments[0][1:])] + [re.escape(s) for s in segments[1:]])
    words = [w for w in re.split(r"\s*[,\-–—&]\s*|\s+và\s+|\s+", form) if w]
    parts = []
    for i, w in enumerate(words):
        old = old_tone_style(w)
        if i == 0:
            w, old = w[1:], old[1:]
        parts.append(re.escape(w) if old == w else f"(?:{re.escape(w)}|{re.escape(old)})")
    return words[0][0], _WORD_GAP.join(parts)


def _alternation(forms: Iterable[str]) -> str:
    """One alternation of the given forms, longest first (so "Giáo dục và Đào tạo" wins over "Giáo dục"),
    grouped by first letter so that the regex engine tries only the forms that can match."""
    groups: dict[str, list[str]] = {}
    for form in sorted(set(forms), key=lambda f: (-len(f), f)):
        first, rest = _form_regex(form)
        groups.setdefault(first.lower(), []).append(rest)
    return "|".join(re.escape(first) + "(?:" + "|".join(rests) + ")" for first, rests in sorted(groups.items()))


def _trigger_regex(words: list[tuple[str, bool]]):
    """A fast stdlib ``re`` pattern for the first letters of every match: words grouped by their first
    character (literal), the rest case-insensitive where the flag says so."""
    groups: dict[str, set[str]] = {}
    for word, fold in words:
        rest = re.escape(word[1:])
        groups.setdefault(word[0], set()).add(f"(?i:{rest})" if fold and rest else rest)
    parts = []
    for first in sorted(groups):
        rests = sorted(groups[first], key=lambda r: (-len(r), r))
        parts.append(re.escape(first) + "(?:" + "|".join(rests) + ")")
    return re.compile("|".join(parts))


class _Patterns:
    """The compiled patterns for one registry: every attribute is a compiled ``re`` pattern."""

    def __init__(self, reg: MinistryRegistry) -> None:
        cues: dict[str, list[str]] = {}
        for row in read_tsv(CUES_FILE):
            cues.setdefault(row["kind"], []).append(row["value"])

        def alt(words: Iterable[str]) -> str:
            return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w))) or "(?!)"

        specific = list(reg.field_specific)
        all_fields = _alternation(specific + list(reg.field_informal))
        full_fields = _alternation(f for f in specific if not is_abbreviation(f))
        bare_words = _alternation(f for f in reg.bare if not is_abbreviation(f))
        bare_codes = alt(f for f in reg.bare if is_abbreviation(f))
        self.main = _rx(
            # "Bộ" + field: "Bộ Tài chính", "Bộ TT&TT", "các bộ: Tài chính"; lower-case fields only after a capital "Bộ"
            r"(?P<bo>(?<!\w)(?:(?P<bocap>Bộ)|bộ)"
            r"(?P<colon>\s*:)?\s+"
            r"(?:(?P<fcap>(?=\p{Lu})(?i:" + all_fields + r"))|(?(bocap)(?P<flow>(?i:" + full_fields + r"))|(?!)))"
            + _END + r")"
            # title + field: "Bộ trưởng Nội vụ", "Thứ trưởng GD-ĐT"
            r"|(?P<title>(?<!\w)(?:[Bb]ộ|[Tt]hứ)\s+trưởng\s+(?P<ftitle>(?=\p{Lu})(?i:" + all_fields + r"))" + _END + r")"
            # names and codes on their own: "Văn phòng Chính phủ", "NHNN"; not inside document numbers ("TT-NHNN")
            r"|(?<![\w\-/.])(?P<bare>(?=\p{Lu})(?i:" + bare_words + r")" + _END
            + r"|(?:" + bare_codes + r")(?![\w&]|[\-/]\w))")
        # cheap scan for the places where a match can start; the big pattern is tried there only
        firsts = {re.split(r"[\s,\-–—&]+", f)[0] for f in reg.bare if not is_abbreviation(f)}
        firsts |= {old_tone_style(w) for w in firsts}
        self.trigger = _trigger_regex(
            [(w, False) for w in ("Bộ", "bộ", "Thứ", "thứ")] + [(w, True) for w in firsts]
            + [(w, False) for w in reg.bare if is_abbreviation(w)])
        self.list_next = _rx(
            r"(?:\s*,\s*|\s*;\s*|\s+[-–—]\s+|\s+và\s+|\s+cùng\s+)(?P<f>(?=\p{Lu})(?i:" + all_fields + r"))" + _END)
        stop = alt(["Bộ"] + cues.get("department_head", []) + cues.get("org_head", []))
        foreign = r"\s*(?:của\s+)?(?:nước\s+)?(?:" + alt(cues.get("foreign_after", [])) + r")(?!\w)"
        # what may stand between a ministry and the country that makes it foreign: the rest of a longer
        # name ("Bộ Y tế, Lao động và Phúc lợi Nhật Bản", "Bộ Nông nghiệp và nguồn nước Cộng hòa ...")
        tail = (r"(?:\s+và(?:\s+\p{Ll}\p{L}*){1,3})?"
                r"(?:(?:\s*[,\-–&]\s*|\s+và\s+)(?!(?:" + stop + r")(?!\w))\p{Lu}\p{L}*(?:\s+\p{Ll}\p{L}*){0,4}){0,4}")
        self.foreign_after = _rx(tail + foreign)
        self.foreign_direct = _rx(
            foreign + r"|\s+(?:" + alt(cues.get("multilateral_after", [])) + r")(?!\w)")
        self.next_word = _rx(r"(?: |\s*[\-–,]\s*)(\p{Lu}(?:\p{L}|['\-])*)")
        self.next_word_direct = _rx(r" (\p{Lu}(?:\p{L}|['\-])*)")
        self.name_before = _rx(
            r"(\p{Lu}(?:\p{L}|[.'\-])*(?:\s+\p{Lu}(?:\p{L}|[.'\-])*){0,3})\s*(?:,|là|làm|\(|–|-)\s*"
            r"(?:(?:cựu|nguyên|tân|quyền|làm)\s+)?$")
        # "các Bộ trưởng Ngoại giao", "Hội nghị Bộ trưởng Tài chính": ministers of several countries
        self.plural_before = _rx(r"(?:^|\W)(?:" + alt(cues.get("not_title_before", [])) + r")\s+$",
                                 re.IGNORECASE)
        # an informal form followed by more of a name that is not ours: "Bộ Giáo dục, Thanh niên và Thể thao"
        self.longer_name = _rx(
            r"(?:\s*[\-–&]\s*\p{Lu}|(?:\s*,\s*|\s+và\s+)(?!(?:" + stop + r")(?!\w))\p{Lu}\p{Ll})")
        # ... unless what follows is another organisation's name, with capitals beyond its first word
        # ("Bộ Giáo dục và Đại học Quốc gia Hà Nội"): the informal form then stands for our ministry
        self.other_name_after = _rx(
            r"(?:\s*,\s*|\s+và\s+)\p{Lu}\p{Ll}*(?:\s+(?!và(?!\w))\p{Ll}+)*\s+\p{Lu}\p{Ll}")
        self.local_after = _rx(r"\s+(?:" + alt(cues.get("local_after", [])) + r")(?!\w)")
        hist = alt(cues.get("historical_near", []))
        self.hist_before = _rx(r"(?:^|\W)(?:" + hist + r")\W+(?:[Bb]ộ\s+trưởng\s+|[Tt]hứ\s+trưởng\s+)?$",
                               flags=re.IGNORECASE)
        hist_after = alt(cues.get("historical_near", []) + cues.get("historical_after", []))
        self.hist_after = _rx(r"\s*\(?\s*(?:" + hist_after + r")(?!\w)", flags=re.IGNORECASE)
        self.dept_head = _rx(r"(?<!\w)(?:" + alt(cues.get("department_head", [])) + r")(?=\s)")
        self.dept_head_comma = _rx(alt(cues.get("department_head_comma", [])))
        self.dept_stop = _rx(r"(?<!\w)(?:" + alt(cues.get("department_name_stop", [])) + r")(?!\w)")
        self.starts_upper = _rx(r"\s+\p{Lu}")
        # "cán bộ Công an", "Đảng bộ Công an": a lower-case "bộ" that ends another word
        self.bo_compound = _rx(r"(?:^|\W)(?:" + alt(cues.get("not_ministry_before", [])) + r")\s+$")
        self.dept_link = _rx(r"(?:,\s*|\s*\(\s*|\s+(?:trực\s+thuộc|thuộc)\s+)$")
