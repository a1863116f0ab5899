"""MINISTRY stage: ministries of the Government of Viet Nam, and the departments written next to them.

The dated registry of ministries and ministry-level agencies (``models/ministries.jsonl``: official
names, validity dates, predecessors and successors, abbreviations, field-only forms, variants) lives
in :mod:`pipeline.lexicons.ministries`; its ``registry()`` is the process-wide instance this stage
and the officials stage (for ``org``) share.

``MinistryTagger`` finds, with one pattern built from the registry (tried only where a
cheap scan finds "Bộ", "Thứ", "Văn phòng", "NHNN", ...):

* "Bộ" + a field form: "Bộ Tài chính", "Bộ TT&TT", "Bộ Công thương", "Bộ Giáo dục" (an informal
  form followed by more of a longer name, "Bộ Giáo dục, Thanh niên và Thể thao", is not ours, but
  one followed by another body's name is: "Bộ Giáo dục và Đại học Quốc gia Hà Nội");
* a field form right after "Bộ trưởng"/"Thứ trưởng": "Bộ trưởng **Nội vụ**";
* further fields listed after one "Bộ": "Bộ Công an và **Quốc phòng**", "Liên Bộ Tài chính - **Công Thương**";
* names and codes of agencies not called "Bộ": "Văn phòng Chính phủ", "NHNN", "TTCP";

and rejects foreign ministries ("Bộ Quốc phòng Mỹ", "Bộ trưởng Tư pháp Jeff
Sessions"), codes inside document numbers ("TT-BTC") and words such as "cán bộ
Công an". Each MINISTRY gets ``canonical`` (the official name of the body at
the document's date) and ``id``. The date is that of :func:`pipeline.docdate.document_date`
(``meta.published``, else the latest full date in the text, else the year the text names most
often); a year, or no date at all, gives way to the period most exact names in the text point to;
with neither, the date is the registry's version date. An exact name of a former body is its own canonical ("Bộ Kế hoạch và
Đầu tư" in 2026 stays itself); informal forms ("Bộ Nông nghiệp", "Bộ trưởng
Văn hóa") go to the body of that field existing at the date. Departments written next to their ministry
("Vụ Pháp chế, Bộ Xây dựng", "Cục X (Bộ Y)") become ORG entities with attribute
``ministry``.

Modules: ``patterns`` (the regular expressions built from the registry and
``models/ministry_cues.tsv``), ``departments`` (the ORG departments), ``tagger`` (``MinistryTagger``).
"""
from pipeline.processors.ministries.tagger import MinistryTagger

__all__ = ["MinistryTagger"]
