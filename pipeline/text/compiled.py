"""Large stdlib ``re`` patterns whose compiled programs are kept on disk between processes.

Python compiles a regular expression in Python code (``re._parser`` then ``re._compiler``) and only
the last step, turning the instruction list into a pattern object, is C. The stages build a few
patterns of 10-40 k characters from their word lists (the ministry field names, the reform-area
phrase trie); compiling them was about a third of the start-up. :func:`compile_pattern` keeps the
instruction list of each pattern it compiled in a cache file, like a ``.pyc`` for regexes, and a
later process builds the pattern object from it directly, which takes microseconds.

- The result is the pattern ``re.compile`` gives: the same instructions, flags and groups. The
  cache is keyed by the pattern text and flags, and the file by the exact Python build
  (``sys.version``) and the ``_sre`` engine version, so a pattern or interpreter change is never
  served a stale program. Anything unexpected (no cache, unreadable or foreign file, an engine that
  refuses the program) falls back to ``re.compile``.
- The file is ``$VNEXTRACT_CACHE_DIR/re-<tag>.marshal`` (default ``$XDG_CACHE_HOME/vnextract``,
  else ``~/.cache/vnextract``); ``VNEXTRACT_CACHE_DIR=off`` turns the cache off. It is written
  (atomically, by renaming a temporary file) by :func:`save`, which ``Pipeline`` calls once it is
  built; a directory that cannot be written leaves the cache off, silently.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import re
import sys
import threading
from pathlib import Path

try:  # the private pieces of the stdlib engine; without them, plain re.compile
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover - another Python implementation
    _sre = None

# a file that grew past this many entries (word lists edited many times) is rewritten with the
# patterns of the current process only
MAX_ENTRIES = 512

_lock = threading.Lock()
_table: dict | None = None      # (pattern, flags) -> (flags, code, groups, groupindex, indexgroup)
_new: dict = {}                 # entries compiled by this process and not yet saved
_used: set = set()              # keys this process asked for


def cache_file() -> Path | None:
    """Where the cache lives for this interpreter, or None when it is turned off."""
    if _sre is None:
        return None
    env = os.environ.get("VNEXTRACT_CACHE_DIR")
    if env is not None and env.strip().lower() in ("", "off", "0", "none"):
        return None
    if env:
        base = Path(env)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = Path(xdg) / "vnextract" if xdg else Path.home() / ".cache" / "vnextract"
    tag = hashlib.sha1(f"{sys.version}|{_sre.MAGIC}|{_sre.CODESIZE}".encode()).hexdigest()[:16]
    return base / f"re-{tag}.marshal"


def _load() -> dict:
    global _table
    if _table is None:
        table: dict = {}
        path = cache_file()
        if path is not None:
            try:
                with path.open("rb") as f:
                    data = marshal.load(f)
                if isinstance(data, dict):
                    table = data
            except (OSError, EOFError, ValueError, TypeError):
                table = {}
        _table = table
    return _table


def _program(pattern: str, flags: int) -> tuple:
    """What ``re._compiler.compile`` hands to ``_sre.compile``, as plain ints, strings and dicts."""
    tree = _parser.parse(pattern, flags)
    code = _compiler._code(tree, flags)
    groupindex = dict(tree.state.groupdict)
    indexgroup = [None] * tree.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    return (int(flags | tree.state.flags), [int(c) for c in code], tree.state.groups - 1,
            groupindex, tuple(indexgroup))


def compile_pattern(pattern: str, flags: int | re.RegexFlag = 0) -> re.Pattern:
    """``re.compile(pattern, flags)``, served from the on-disk cache when this pattern was compiled before."""
    flags = int(flags)
    if _sre is None or flags & re.DEBUG or not isinstance(pattern, str):
        return re.compile(pattern, flags)
    key = (pattern, flags)
    with _lock:
        table = _load()
        entry = table.get(key) or _new.get(key)
        _used.add(key)
    if entry is not None:
        try:
            return _sre.compile(pattern, *entry)
        except Exception:  # a damaged entry: compile again and replace it
            pass
    entry = _program(pattern, flags)
    compiled = _sre.compile(pattern, *entry)
    with _lock:
        _new[key] = entry
    return compiled


def save() -> None:
    """Write the programs compiled since the last save to the cache file (nothing when none are new)."""
    path = cache_file()
    with _lock:
        if not _new or path is None:
            return
        table = dict(_load())
        table.update(_new)
        if len(table) > MAX_ENTRIES:
            table = {k: v for k, v in table.items() if k in _used}
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as f:
                marshal.dump(table, f)
            os.replace(tmp, path)
        except (OSError, ValueError):
            try:
                tmp.unlink()
            except OSError:
                pass
            return
        global _table
        _table = table
        _new.clear()


def forget() -> None:
    """Drop what this process read and compiled (the file stays): the next call reads the file again."""
    global _table
    with _lock:
        _table = None
        _new.clear()
        _used.clear()
