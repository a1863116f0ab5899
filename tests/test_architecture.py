"""The pipeline's structure: declarations that are true, stages safe to share between threads,
registration without side effects, no import cycle."""
from __future__ import annotations

import ast
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipeline import DEFAULT_STAGES, Pipeline, PipelineError, Processor, load, register
from pipeline import base
from pipeline.base import MODEL_STAGES, available_stages, stage_class
from pipeline.runtime.readers import dumps

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT.parent / "shared" / "data" / "vi_news"


def corpus_records() -> list[dict]:
    lines = (ROOT / "corpus" / "sample.jsonl").read_text(encoding="utf-8").splitlines()
    lines += (ROOT / "corpus" / "hard_cases.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def closure(name: str) -> list[str]:
    """``name`` after the stages that provide what it requires, transitively, in default order."""
    order = list(DEFAULT_STAGES + MODEL_STAGES)
    needed, todo = {name}, [name]
    while todo:
        for layer in stage_class(todo.pop()).requires:
            providers = [s for s in order if layer in stage_class(s).provides]
            assert providers, f"no stage provides {layer!r}"
            if providers[0] not in needed:
                needed.add(providers[0])
                todo.append(providers[0])
    return [s for s in order if s in needed]


BUILT_IN = DEFAULT_STAGES + MODEL_STAGES


def test_every_stage_alone_is_refused_exactly_when_it_requires_something():
    for name in BUILT_IN:
        cls = stage_class(name)
        if cls.requires:
            with pytest.raises(PipelineError, match=name):
                Pipeline([name])
        elif name not in MODEL_STAGES:
            assert Pipeline([name]).stage_names == [name]


def test_the_default_order_satisfies_every_declaration():
    assert Pipeline().stage_names == list(DEFAULT_STAGES)
    provided: set[str] = set()
    for name in DEFAULT_STAGES:
        assert stage_class(name).requires <= provided, name
        provided |= stage_class(name).provides


def _added_by(stages: list[str], target: str, record: dict) -> tuple:
    """What ``target`` adds to a document when only ``stages`` ran before it."""
    nlp = load(stages)
    doc = nlp.make_doc(record)
    before_entities, before_layers = set(), set()
    for proc in nlp.processors:
        if proc.name == target:
            before_entities = {id(e) for e in doc.entities}
            before_layers = set(doc.layers)
        proc(doc)
        doc.done.add(proc.name)
    added = sorted((e.label, e.start, e.end, json.dumps(e.attrs, sort_keys=True, ensure_ascii=False))
                   for e in doc.entities if id(e) not in before_entities)
    layers = {k: v for k, v in doc.layers.items() if k not in before_layers}
    return added, json.dumps(layers, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("target", [s for s in DEFAULT_STAGES if s != "normalize"])
def test_a_stage_reads_only_what_it_declares(target):
    """A stage gives the same result after just the stages its declarations name as after every
    stage before it in the default order: had it read an undeclared layer, the two would differ."""
    minimal = ["normalize"] + [s for s in closure(target) if s != "normalize"]
    prefix = list(DEFAULT_STAGES[:DEFAULT_STAGES.index(target) + 1])
    assert set(minimal) <= set(prefix)
    for record in corpus_records():
        assert _added_by(minimal, target, record) == _added_by(prefix, target, record), (target, record["id"])


def test_register_adds_a_stage_without_changing_the_defaults():
    class Shout(Processor):
        name = "shout_test"
        provides = frozenset({"shout"})

        def __call__(self, doc):
            doc.layers["shout"] = [doc.text.upper()]
            return doc

    before = tuple(DEFAULT_STAGES)
    register("shout_test", Shout)
    try:
        assert tuple(DEFAULT_STAGES) == before and "shout_test" not in load().stage_names
        assert "shout_test" in available_stages()
        assert load(["shout_test"])("abc").layers["shout"] == ["ABC"]
    finally:
        base._REGISTRY.pop("shout_test")


def test_a_built_pipeline_cannot_be_rearranged(base_nlp):
    with pytest.raises((AttributeError, TypeError)):
        base_nlp.processors.append(None)


def test_stages_keep_no_document_state(nlp):
    """Calling a stage changes nothing on it: every attribute is the same object, with the same
    contents where it is a plain container, before and after a document."""
    def snapshot(proc):
        return {k: (id(v), repr(v)[:2000] if isinstance(v, (list, dict, set, tuple)) else None)
                for k, v in vars(proc).items()}
    before = [snapshot(p) for p in nlp.processors]
    for record in corpus_records()[:5]:
        nlp(record)
    assert [snapshot(p) for p in nlp.processors] == before


def _thread_records() -> list[dict]:
    records = []
    for name in ("rss_tintuchangngay_2025-08_2026-08.jsonl", "baomoi_2017_magizbox.jsonl"):
        with (NEWS / name).open(encoding="utf-8") as f:
            for line in f:
                records.append(json.loads(line))
                if len(records) % 60 == 0:
                    break
    return records


@pytest.mark.shared
@pytest.mark.skipif(not NEWS.is_dir(), reason="needs ../shared/data/vi_news beside the project")
def test_one_pipeline_shared_by_8_threads_gives_the_sequential_output(nlp):
    records = _thread_records()
    assert len(records) >= 100
    sequential = [dumps(nlp(r).to_json()) for r in records]
    start = threading.Barrier(8)

    def run(chunk: list[dict]) -> list[str]:
        start.wait()  # all threads at once, on the same pipeline
        return [dumps(nlp(r).to_json()) for r in chunk]

    # every thread does every document, in a different order, so they overlap on the same stages
    orders = [records[k * 13 % len(records):] + records[:k * 13 % len(records)] for k in range(8)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(run, orders))
    expected = {r["id"]: out for r, out in zip(records, sequential)}
    for order, outputs in zip(orders, results):
        assert [expected[r["id"]] for r in order] == outputs


def _imports(path: Path, package_root: Path) -> set[str]:
    """Modules of the package imported at module level by the file at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline"):
            out.add(node.module)
            for alias in node.names:  # "from pipeline.x import y" where y is a module
                candidate = package_root.parent / (node.module.replace(".", "/") + "/" + alias.name)
                if candidate.with_suffix(".py").is_file() or candidate.is_dir():
                    out.add(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("pipeline")}
    return out


def _import_graph() -> dict[str, set[str]]:
    root = ROOT / "pipeline"
    graph = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        graph[name] = _imports(path, root)
    return graph


def test_no_import_cycle_between_modules():
    graph = _import_graph()
    # a module also depends on the packages above it (importing a.b.c runs a/__init__ and a/b/__init__)
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if dep == node or dep not in graph:
                continue
            if state.get(dep) == 1:
                cycle = path[path.index(dep):] + [dep] if dep in path else [node, dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep, path + [dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


def test_no_module_over_700_lines():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "pipeline").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 700}
    assert not long


def test_every_stage_lives_in_the_processors_package():
    for name in BUILT_IN:
        assert stage_class(name).__module__.startswith("pipeline.processors."), name


def test_every_package_is_installed():
    """setup.cfg lists the packages by hand: a package missing there is absent from an installed wheel."""
    import configparser
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = set(cfg["options"]["packages"].split())
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "pipeline").rglob("__init__.py")}
    assert found <= listed, f"packages missing from setup.cfg [options] packages: {sorted(found - listed)}"
