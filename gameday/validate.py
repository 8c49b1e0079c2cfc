"""YAML document -> spec -> domain model, reporting every problem in one pass.

Parameter precedence, lowest first: the scenario's `params`, the drill's `params`, the
drill entry's `params`, then `--values` files and `--set` from the command line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from gameday.declared import declared_params, locator, unknown_params
from gameday.errors import InputError, Problem
from gameday.hints import did_you_mean
from gameday.load import Document, YamlPath, load_file
from gameday.plugins.registry import registry
from gameday.spec import API_VERSION
from gameday.spec.problems import problems_from
from gameday.spec.scenario import ScenarioSpec
from gameday.static_checks import static_problems
from gameday.template import render_tree, shell_paths

if TYPE_CHECKING:
    from gameday.model import scenario as m

KINDS = ("Scenario", "Drill")

Checked = tuple[ScenarioSpec, dict[YamlPath, Any], str, dict[str, Any]]
"""A scenario with no problems: its spec, its plugins' parsed params, its source file and
its params, everything `build.build_scenario` needs to make the domain model."""


def load(path: Path, params: dict[str, Any] | None = None) -> m.Scenario | m.Drill:
    """Load a scenario or drill file, whichever it is."""
    return load_with_document(path, params)[1]


def load_with_document(
    path: Path, params: dict[str, Any] | None = None
) -> tuple[Document, m.Scenario | m.Drill]:
    """The parsed document (for locating things) and the model built from it."""
    doc, result = _load(path, params or {}, build=True)
    assert result is not None  # built, as asked
    return doc, result


def check(path: Path) -> None:
    """Raises InputError with every problem `load` would report, without building the
    domain model (a mapping that cannot fail once the file is checked; tested against
    `load` on the whole library): what `gameday validate` needs."""
    _load(path, {}, build=False)


def _load(
    path: Path, overrides: dict[str, Any], build: bool
) -> tuple[Document, m.Scenario | m.Drill | None]:
    doc = load_file(path, keep_going=True)
    before = [*doc.problems]  # duplicate keys: reported with everything else
    try:
        kind = _check_header(doc)
        if kind == "Drill":
            result: m.Scenario | m.Drill | None = _drill(doc, path, overrides, build)
        else:
            before += unknown_params(overrides, declared_params(doc), path.name)
            checked = _scenario(doc, overrides)
            result = _build(checked) if build else None
    except InputError as exc:
        raise InputError(problems=_unique([*before, *exc.problems])) from None
    if before:
        raise InputError(problems=_unique(before))
    return doc, result


def check_paths(paths: Iterable[Path]) -> tuple[int, list[Problem]]:
    """Validate files and directories; returns (files checked, problems found)."""
    problems: list[Problem] = []
    count = 0
    for file in iter_yaml_files(paths, problems):
        count += 1
        try:
            check(file)
        except InputError as exc:
            problems.extend(exc.problems)
    return count, _unique(problems)


def iter_yaml_files(paths: Iterable[Path], problems: list[Problem]) -> Iterator[Path]:
    from gameday.errors import Location

    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
        elif path.exists():
            yield path
        else:
            problems.append(Problem(Location(str(path)), "no such file or directory"))


def merge_params(*layers: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge parameter mappings; later layers win."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = merge_params(merged[key], value)
            else:
                merged[key] = value
    return merged


def _check_header(doc: Document) -> str:
    problems = []
    version = doc.data.get("apiVersion")
    if version != API_VERSION:
        found = "missing" if version is None else f"unknown apiVersion `{version}`"
        problems.append(
            Problem(doc.locate(("apiVersion",)), f"{found}", f"write `apiVersion: {API_VERSION}`")
        )
    kind = doc.data.get("kind")
    if kind not in KINDS:
        problems.append(
            Problem(
                doc.locate(("kind",)),
                "missing `kind`" if kind is None else f"unknown kind `{kind}`",
                did_you_mean(str(kind), KINDS)
                if kind
                else "write `kind: Scenario` or `kind: Drill`",
            )
        )
    if problems:
        raise InputError(problems=problems)
    return str(kind)


@dataclass
class _Collector:
    doc: Document
    problems: list[Problem]

    def add(self, path: YamlPath, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.doc.locate(path), message, hint))

    def parse(self, model: type[BaseModel], data: Any, prefix: YamlPath) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            self.problems.extend(problems_from(exc, self.doc, model, prefix))
            return None


def _build(checked: Checked) -> m.Scenario:
    from gameday.build import build_scenario

    return build_scenario(*checked)


def _scenario(doc: Document, overrides: dict[str, Any]) -> Checked:
    out = _Collector(doc, [])
    defaults = doc.data.get("params", {})
    if not isinstance(defaults, dict):
        out.add(("params",), "`params` must be a mapping of name: default value")
        defaults = {}
    params = merge_params(defaults, overrides)
    rendered = render_tree(
        doc.data, params, skip=frozenset({"params"}), shell=shell_paths(doc.data)
    )
    data: dict[str, Any] = rendered.value
    spec = out.parse(ScenarioSpec, data, ())
    plugin_params = _check_plugins(out, data)
    _check_references(out, data)
    if spec is not None:
        out.problems.extend(static_problems(doc, spec, plugin_params))
    # An unrendered template only causes follow-on type errors at the same place.
    broken = {doc.locate(p.path) for p in rendered.problems}
    out.problems[:] = [p for p in out.problems if p.location not in broken]
    for problem in rendered.problems:
        out.add(problem.path, problem.message, problem.hint)
    if out.problems or spec is None:
        raise InputError(problems=_unique(out.problems))
    return spec, plugin_params, doc.source, params


def _check_plugins(out: _Collector, data: dict[str, Any]) -> dict[YamlPath, Any]:
    """Validate each plugin's params against its `Params` model; returns parsed params."""
    parsed: dict[YamlPath, Any] = {}
    target = data.get("target")
    target = target if isinstance(target, dict) else {}
    target_kind = target.get("kind")
    if isinstance(target_kind, str):
        settings = {k: v for k, v in target.items() if k != "kind"}
        parsed[("target",)] = _plugin(out, "target", target_kind, settings, ("target",), True)
    fault = data.get("fault")
    if isinstance(fault, dict) and isinstance(fault.get("type"), str):
        parsed[("fault",)] = _plugin(out, "fault", fault["type"], fault.get("params"), ("fault",))
        plugin = registry("fault").plugins.get(fault["type"])
        if (
            plugin is not None
            and isinstance(target_kind, str)
            and plugin.target_kind != target_kind
        ):
            out.add(
                ("fault", "type"),
                f"fault `{fault['type']}` runs on `{plugin.target_kind}` targets, "
                f"but the target is `{target_kind}`",
                f"set `target.kind: {plugin.target_kind}` or choose a {target_kind} fault",
            )
    for path, entry in _entries(data, ("steady_state", "probes")):
        parsed[path] = _plugin(out, "probe", entry.get("type"), entry.get("params"), path)
    for section in (("setup",), ("recovery", "steps"), ("rollback",)):
        for path, entry in _entries(data, section):
            parsed[path] = _plugin(out, "action", entry.get("type"), entry.get("params"), path)
    return parsed


def _plugin(
    out: _Collector, kind: str, name: Any, params: Any, path: YamlPath, flat: bool = False
) -> Any:
    if not isinstance(name, str):
        return None
    plugins = registry(kind).plugins
    key = "kind" if kind == "target" else "type"
    if name not in plugins:
        out.add((*path, key), f"unknown {kind} {key} `{name}`", did_you_mean(name, plugins))
        return None
    prefix = path if flat else (*path, "params")
    return out.parse(plugins[name].Params, params or {}, prefix)


def _entries(data: dict[str, Any], section: YamlPath) -> Iterator[tuple[YamlPath, dict[str, Any]]]:
    node: Any = data
    for part in section:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, list):
        for index, entry in enumerate(node):
            if isinstance(entry, dict):
                yield (*section, index), entry


def _check_references(out: _Collector, data: dict[str, Any]) -> None:
    """Probe names are unique; every SLO, abort condition and step names a known probe."""
    names: list[str] = []
    for path, probe in _entries(data, ("steady_state", "probes")):
        name = probe.get("name")
        if name in names:
            out.add(
                (*path, "name"), f"duplicate probe name `{name}`", "give each probe its own name"
            )
        names.append(str(name))
    refs = [(path, e.get("probe")) for path, e in _entries(data, ("slo",))]
    refs += [(path, e.get("probe")) for path, e in _entries(data, ("abort_when",))]
    for section in (("setup",), ("recovery", "steps"), ("rollback",)):
        for path, step in _entries(data, section):
            params = step.get("params")
            if isinstance(params, dict):
                refs.append(((*path, "params"), params.get("probe")))
    for path, ref in refs:
        if isinstance(ref, str) and ref not in names:
            out.add(
                (*path, "probe"),
                f"no probe named `{ref}` in steady_state.probes",
                did_you_mean(ref, names),
            )
    _check_prometheus_source(out, data)


def _check_prometheus_source(out: _Collector, data: dict[str, Any]) -> None:
    """PromQL SLIs, PromQL abort conditions and Prometheus alerts need `prometheus.url`."""
    if isinstance(data.get("prometheus"), dict):
        return
    users = [
        (path, "sli") for path, e in _entries(data, ("slo",)) if e.get("sli") or e.get("promql")
    ]
    users += [(path, "promql") for path, e in _entries(data, ("abort_when",)) if e.get("promql")]
    detection = data.get("detection")
    reads_prometheus = isinstance(detection, dict) and (
        detection.get("source", "prometheus") == "prometheus" and not detection.get("url")
    )
    if reads_prometheus:
        users.append((("detection",), "source"))
    for path, key in users:
        out.add(
            (*path, key),
            "this reads Prometheus, but the scenario has no `prometheus` section",
            "add `prometheus: {url: http://prometheus:9090}` (a drill param works: "
            '`url: "{{ prometheus_url }}"`)',
        )


def _drill(doc: Document, path: Path, overrides: dict[str, Any], build: bool) -> m.Drill | None:
    from gameday.spec.drill import DrillSpec  # with cron parsing: only drills need it

    out = _Collector(doc, [])
    spec = out.parse(DrillSpec, doc.data, ())
    loaded: list[tuple[int, Checked]] = []
    raw_refs = list(_entries(doc.data, ("scenarios",)))
    shared = doc.data.get("params") if isinstance(doc.data.get("params"), dict) else {}
    declared: set[str] = set()
    for entry_path, entry in raw_refs:
        ref = entry.get("ref")
        if not isinstance(ref, str):
            continue
        scenario_path = Path(os.path.normpath(path.parent / ref))
        if not scenario_path.is_file():
            out.add(
                (*entry_path, "ref"),
                f"scenario file not found: {ref}",
                "the path is relative to the drill file",
            )
            continue
        entry_params = entry.get("params") if isinstance(entry.get("params"), dict) else {}
        try:
            scenario_doc = load_file(scenario_path, keep_going=True)
            out.problems.extend(scenario_doc.problems)
            if _check_header(scenario_doc) == "Drill":
                out.add((*entry_path, "ref"), f"{ref} is a Drill; drills list scenarios")
                continue
            own = declared_params(scenario_doc)
            declared |= own
            where = locator(doc, (*entry_path, "params"))
            out.problems.extend(unknown_params(entry_params or {}, own, ref, where))
            scenario = _scenario(
                scenario_doc, merge_params(shared or {}, entry_params or {}, overrides)
            )
        except InputError as exc:
            out.problems.extend(exc.problems)
            continue
        loaded.append((int(entry_path[-1]), scenario))
    if not out.problems and spec is not None:
        # shared params need only one scenario of the drill to declare them
        anyone = "any scenario of this drill"
        out.problems.extend(
            unknown_params(shared or {}, declared, anyone, locator(doc, ("params",)))
        )
        out.problems.extend(unknown_params(overrides, declared, anyone))
    if out.problems or spec is None:
        raise InputError(problems=_unique(out.problems))
    if not build:
        return None
    from gameday.model import scenario as m

    entries = [m.DrillEntry(_build(s), spec.scenarios[i].weight) for i, s in loaded]
    meta = spec.metadata
    return m.Drill(
        name=meta.name,
        source=doc.source,
        entries=tuple(entries),
        description=meta.description,
        owner=meta.owner,
        facilitator=meta.facilitator,
        participants=tuple(meta.participants),
        observers=tuple(meta.observers),
        deadline=spec.deadline,
        schedule=spec.schedule,
    )


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[Any, ...]] = set()
    result = []
    for p in problems:
        key = (p.location, p.message)
        if key not in seen:
            seen.add(key)
            result.append(p)
    return sorted(
        result, key=lambda p: (p.location.file, p.location.line or 0, p.location.column or 0)
    )
