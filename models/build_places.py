"""Build ``models/places_admin.tsv`` from the installed PyPI package ``vietnamadminunits``.

The package (MIT, © 2025 Tran Ngoc Minh Hieu, https://github.com/tranngocminhhieu/vietnamadminunits)
ships an SQLite data set with the administrative units before the 1 July 2025 reform
(63 provinces, 696 districts, 10,035 communes: table ``admin_units_legacy``) and after it
(34 provinces, 3,321 communes: table ``admin_units``), plus ``converter_2025.json`` that maps
old units to new ones. This script reads both and writes one row per unit and vintage::

    pip install vietnamadminunits==1.0.4
    python models/build_places.py            # writes models/places_admin.tsv

Columns of the output (tab separated, one header line, ``#`` comment lines first):

``level``         province | district | commune
``era``           legacy (before 1 July 2025) | current (from 1 July 2025)
``type``          Tỉnh, Thành phố, Quận, Huyện, Thị xã, Phường, Xã, Thị trấn, Đặc khu
``name``          the name without the type word ("Hải Phòng", "Phúc Thọ", "Mỹ Đình 1")
``full``          the official full name ("Thành phố Hải Phòng", "Huyện Phúc Thọ")
``code``          GSO code of the unit (2 digits province, 3 district, 5 commune)
``district_code`` for legacy communes, the code of their district; else empty
``province_code`` the province the unit belongs to, in its own vintage (itself for a province)
``current_code``  the post-2025 province the unit belongs to (or became part of)
``pre2025_codes`` the pre-2025 province(s) the unit was in or was formed from, ``|``-separated
"""
from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
from importlib import metadata
from pathlib import Path

PACKAGE = "vietnamadminunits"
HERE = Path(__file__).resolve().parent
COLUMNS = ["level", "era", "type", "name", "full", "code", "district_code", "province_code",
           "current_code", "pre2025_codes"]
TYPES = ["Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Tỉnh", "Quận", "Huyện", "Phường", "Xã"]


def package_dir() -> Path:
    """Directory of the installed ``vietnamadminunits`` package (raises if it is missing)."""
    import importlib.util
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        sys.exit(f"{PACKAGE} is not installed: pip install {PACKAGE}")
    return Path(spec.origin).parent


def split_full(full: str) -> tuple[str, str, str]:
    """``"Thành Phố Bắc Kạn"`` -> ``("Thành phố", "Bắc Kạn", "Thành phố Bắc Kạn")``."""
    full = re.sub(r"\s+", " ", full.strip())
    for t in TYPES:
        if full.lower().startswith(t.lower() + " "):
            name = full[len(t) + 1:].strip()
            return t, name, f"{t} {name}"
    raise ValueError(f"no administrative type in {full!r}")


def build(db_path: Path, converter_path: Path) -> list[dict]:
    """All rows of the gazetteer, legacy first, then current."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    rows: list[dict] = []

    legacy_key_to_code: dict[str, str] = {}
    legacy_provinces: dict[str, dict] = {}
    districts: dict[str, dict] = {}
    communes: list[dict] = []
    q = ("SELECT province, provinceCode, provinceKey, district, districtCode, ward, wardCode "
         "FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode")
    for prov, pcode, pkey, dist, dcode, ward, wcode in con.execute(q):
        legacy_key_to_code[pkey] = pcode
        if pcode not in legacy_provinces:
            t, n, f = split_full(prov)
            legacy_provinces[pcode] = dict(level="province", era="legacy", type=t, name=n, full=f,
                                           code=pcode, district_code="", province_code=pcode)
        if dcode not in districts:
            t, n, f = split_full(dist)
            districts[dcode] = dict(level="district", era="legacy", type=t, name=n, full=f,
                                    code=dcode, district_code="", province_code=pcode)
        if ward:
            t, n, f = split_full(ward)
            communes.append(dict(level="commune", era="legacy", type=t, name=n, full=f, code=wcode,
                                 district_code=dcode, province_code=pcode))

    converter = json.loads(converter_path.read_text(encoding="utf-8"))
    current_key_to_code = {k: c for k, c in con.execute(
        "SELECT DISTINCT provinceKey, provinceCode FROM admin_units")}
    # old province code -> new province code (every old province went whole into one new one)
    old_to_new: dict[str, str] = {}
    merged_from: dict[str, list[str]] = {}
    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        new_code = current_key_to_code[new_key]
        merged_from[new_code] = sorted(legacy_key_to_code[k] for k in old_keys)
        for k in old_keys:
            old_to_new[legacy_key_to_code[k]] = new_code

    for r in [*legacy_provinces.values(), *districts.values(), *communes]:
        r["current_code"] = old_to_new[r["province_code"]]
        r["pre2025_codes"] = r["province_code"]
        rows.append(r)

    # new commune -> old provinces it was formed from
    origins: dict[tuple[str, str], set[str]] = {}
    for new_pkey, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wkey, old_keys in wards.items():
            for ok in old_keys:
                origins.setdefault((new_pkey, new_wkey), set()).add(legacy_key_to_code[ok.split("_")[0]])
    for new_pkey, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for ok, news in olds.items():
            for nw in news:
                origins.setdefault((new_pkey, nw["newWardKey"]), set()).add(
                    legacy_key_to_code[ok.split("_")[0]])

    seen_prov: set[str] = set()
    q = ("SELECT province, provinceCode, provinceKey, ward, wardCode, wardKey "
         "FROM admin_units ORDER BY provinceCode, wardCode")
    current_rows = []
    for prov, pcode, pkey, ward, wcode, wkey in con.execute(q):
        if pcode not in seen_prov:
            seen_prov.add(pcode)
            t, n, f = split_full(prov)
            current_rows.append(dict(level="province", era="current", type=t, name=n, full=f, code=pcode,
                                     district_code="", province_code=pcode, current_code=pcode,
                                     pre2025_codes="|".join(merged_from[pcode])))
        t, n, f = split_full(ward)
        olds = sorted(origins.get((pkey, wkey), set()))
        current_rows.append(dict(level="commune", era="current", type=t, name=n, full=f, code=wcode,
                                 district_code="", province_code=pcode, current_code=pcode,
                                 pre2025_codes="|".join(olds)))
    rows.extend(current_rows)
    con.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(HERE / "places_admin.tsv"))
    args = ap.parse_args(argv)
    pdir = package_dir()
    version = metadata.version(PACKAGE)
    rows = build(pdir / "data" / "dataset.db", pdir / "data" / "converter_2025.json")
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# Vietnamese administrative units, generated by models/build_places.py from the PyPI package\n"
                f"# {PACKAGE} {version} (MIT, (c) 2025 Tran Ngoc Minh Hieu; see LICENSE-vietnamadminunits.txt).\n"
                f"# legacy = before 1 July 2025 (63 provinces), current = from 1 July 2025 (34 provinces).\n")
        f.write("\t".join(COLUMNS) + "\n")
        for r in rows:
            f.write("\t".join(r[c] for c in COLUMNS) + "\n")
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        counts[(r["era"], r["level"])] = counts.get((r["era"], r["level"]), 0) + 1
    print(f"wrote {len(rows)} rows to {args.out} ({PACKAGE} {version}):",
          ", ".join(f"{e}/{lv}={n}" for (e, lv), n in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
