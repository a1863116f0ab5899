"""Documents written for the format tests: nested entities, every kind of attribute, odd characters."""
from __future__ import annotations

from pipeline import Document
from pipeline.document import Span, Token

# texts written for these tests
TEXT_A = ("Bộ trưởng Bộ Tư pháp Lê Thành Long làm việc với UBND tỉnh Nghệ An.\n\n"
          "Ngày 12/3/2021, ông Long yêu cầu giảm thủ tục hành chính 🙂 và đẩy mạnh Chính phủ số.")
TEXT_B = "Văn phòng Chính phủ họp về cải cách\nhành chính năm 2019."


def at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    return i, i + len(needle)


def add_tokens(doc: Document, words: list[str]) -> None:
    pos = 0
    for w in words:
        s = doc.text.index(w, pos)
        doc.tokens.append(Token(s, s + len(w), "Np" if w[0].isupper() else "N"))
        pos = s + len(w)


def doc_a() -> Document:
    doc = Document(TEXT_A, id="a/1", meta={"published": "2021-03-12", "title": "A"})
    add_tokens(doc, ["Bộ trưởng", "Bộ", "Tư pháp", "Lê Thành", "Long", "làm việc", "với", "UBND", "tỉnh",
                  "Nghệ An", ".", "Ngày", "12/3/2021", ",", "ông", "Long", "yêu cầu", "giảm", "thủ tục",
                  "hành chính", "và", "đẩy mạnh", "Chính phủ số", "."])
    doc.sentences = [Span(0, TEXT_A.index(".") + 1), Span(TEXT_A.index("Ngày"), len(TEXT_A))]
    doc.add_entity("MINISTRY", *at(TEXT_A, "Bộ Tư pháp"), canonical="Bộ Tư pháp", id="btp")
    doc.add_entity("OFFICIAL", *at(TEXT_A, "Lê Thành Long"), title="Bộ trưởng", org="Bộ Tư pháp")
    doc.add_entity("ORG", *at(TEXT_A, "UBND tỉnh Nghệ An"))
    doc.add_entity("PLACE", *at(TEXT_A, "tỉnh Nghệ An"), canonical={"name": "Tỉnh Nghệ An", "code": "40"})
    doc.add_entity("DATE", *at(TEXT_A, "Ngày 12/3/2021"), value="2021-03-12")
    doc.add_entity("OFFICIAL", *at(TEXT_A, "Long", 1), title=["Bộ trưởng", "Ủy viên Trung ương"],
                   org=None)
    doc.add_entity("REFORM_AREA", *at(TEXT_A, "thủ tục hành chính"), area="procedures")
    doc.add_entity("REFORM_AREA", *at(TEXT_A, "Chính phủ số"), area="modernization")
    # a token ("Chính phủ số") longer than an entity inside it
    doc.add_entity("ORG", *at(TEXT_A, "Chính phủ"), canonical="")
    doc.layers["paragraphs"] = [{"start": 0, "end": TEXT_A.index("\n")}]
    return doc


def doc_b() -> Document:
    """No tokens, an entity across a line break, a list-valued area (as in gold files)."""
    doc = Document(TEXT_B, id="b", meta={"published": None})
    doc.add_entity("MINISTRY", *at(TEXT_B, "Văn phòng Chính phủ"), canonical="Văn phòng Chính phủ")
    doc.add_entity("REFORM_AREA", *at(TEXT_B, "cải cách\nhành chính"), area=["general", "institutions"])
    doc.add_entity("DATE", *at(TEXT_B, "năm 2019"), value=["2019", "XXXX"])
    return doc


def sample_records() -> list[dict]:
    """The records the tests export: ``doc_a``, ``doc_b`` and an empty document."""
    return [doc_a().to_json(), doc_b().to_json(), Document("", id="empty").to_json()]
