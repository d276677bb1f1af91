"""The check constructors a suite file may name, read from ``airflow_dq.checks`` itself.

A suite file says ``not_null: user_id``; the loader calls ``airflow_dq.checks.not_null``
with those arguments, the very constructor a DAG author calls in Python. Nothing here lists
checks by hand: the public snake_case names of ``airflow_dq.checks`` are the vocabulary,
and each constructor's signature (followed through ``**kwargs`` up the class hierarchy)
says which arguments it takes. A check added to ``airflow_dq.checks`` is therefore usable
from YAML, and appears in the JSON Schema, without an edit here.

Only the constructor a file names is imported, so a suite of row checks does not load the
drift or anomaly families.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from typing import Any

_CHECKS_MODULE = "airflow_dq.checks"


# Plain classes, not dataclasses: this module is imported while a DAG file is parsed, and
# generating dataclass methods costs more than the rest of the module.
class Parameter:
    __slots__ = ("annotation", "default", "name", "required")

    def __init__(self, name: str, annotation: str, required: bool, default: Any = None) -> None:
        self.name = name
        self.annotation = annotation  # as written in the source ("int | None"): conversions, schema
        self.required = required
        self.default = default

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, {self.annotation!r}, required={self.required})"


class Constructor:
    """One public check constructor: its name in suite files and the arguments it takes."""

    __slots__ = ("build", "doc", "name", "open_ended", "parameters", "required")

    def __init__(
        self, name: str, build: Callable[..., Any], parameters: tuple[Parameter, ...], open_ended: bool, doc: str
    ) -> None:
        self.name = name
        self.build = build
        self.parameters = parameters
        self.open_ended = open_ended  # takes arguments it does not declare (a function forwarding **kwargs)
        self.doc = doc
        self.required = tuple(p.name for p in parameters if p.required)

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def __repr__(self) -> str:
        return f"Constructor({self.name!r}, {[p.name for p in self.parameters]})"


@functools.cache
def _public_names() -> list[str]:
    checks = importlib.import_module(_CHECKS_MODULE)
    names = set(getattr(checks, "__all__", ())) | set(getattr(checks, "_ALIASES", {}))
    return sorted(n for n in names if n.islower() and not n.startswith("_"))


def candidate_names() -> list[str]:
    """Every public snake_case name of ``airflow_dq.checks`` (cheap: nothing is imported)."""
    return _public_names()


def _annotation(param: inspect.Parameter) -> str:
    ann = param.annotation
    if ann is inspect.Parameter.empty:
        return "Any"
    return ann if isinstance(ann, str) else getattr(ann, "__name__", str(ann))


def _parameters(target: Any) -> tuple[tuple[Parameter, ...], bool]:
    """The keyword arguments ``target`` accepts, following ``**kwargs`` to the parent classes."""
    found: dict[str, Parameter] = {}
    if isinstance(target, type):
        inits = [klass.__dict__["__init__"] for klass in target.__mro__ if "__init__" in klass.__dict__]
    else:
        inits = [target]
    open_ended = False
    for init in inits:
        if init is object.__init__:
            break
        forwards = False
        for param in inspect.signature(init).parameters.values():
            if param.name == "self" or param.kind is inspect.Parameter.VAR_POSITIONAL:
                continue
            if param.kind is inspect.Parameter.VAR_KEYWORD:
                forwards = True
                continue
            if param.name not in found:
                required = param.default is inspect.Parameter.empty
                found[param.name] = Parameter(
                    param.name, _annotation(param), required, None if required else param.default
                )
        if not forwards:
            break
    else:
        # Ran out of classes while still forwarding: a function passing **kwargs on to checks.
        open_ended = not isinstance(target, type)
    if not isinstance(target, type) and any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in inspect.signature(target).parameters.values()
    ):
        open_ended = True
    return tuple(found.values()), open_ended


def _is_constructor(target: Any) -> bool:
    from airflow_dq.checks.base import Check

    if isinstance(target, type):
        return issubclass(target, Check)
    if not callable(target):
        return False
    # A function is a constructor when it is declared to return checks (training_integrity);
    # stored_profile, which returns a reference, is not.
    returns = inspect.signature(target).return_annotation
    text = returns if isinstance(returns, str) else getattr(returns, "__name__", str(returns))
    return "Check" in text


@functools.cache
def constructor(name: str) -> Constructor | None:
    """The constructor named ``name`` in suite files, or None when there is no such check."""
    if name not in _public_names():
        return None
    target = getattr(importlib.import_module(_CHECKS_MODULE), name)
    if not _is_constructor(target):
        return None
    parameters, open_ended = _parameters(target)
    return Constructor(name, target, parameters, open_ended, inspect.getdoc(target) or "")


def all_constructors() -> list[Constructor]:
    """Every check constructor (imports every check family: for the schema and the CLI)."""
    return [c for c in (constructor(n) for n in _public_names()) if c is not None]


def check_names() -> list[str]:
    return [c.name for c in all_constructors()]


@functools.cache
def _name_of_class() -> dict[type, str]:
    # A class may be public under a snake_case alias and its CamelCase name; files use the alias.
    return {c.build: c.name for c in all_constructors() if isinstance(c.build, type)}


def name_of(check: Any) -> str:
    """The suite-file name of a check object's constructor (``NotNull`` -> ``not_null``)."""
    name = _name_of_class().get(type(check))
    if name is not None:
        return name
    raise TypeError(f"{type(check).__name__} is not a public check of {_CHECKS_MODULE}, so no suite file can name it")


def arguments_of(check: Any) -> dict[str, Any]:
    """The arguments a check was built with, by name (positional ones bound to theirs)."""
    given = getattr(check, "_given", None)
    if given is None:
        raise TypeError(f"check '{check.name}' was not built by its constructor; its arguments are unknown")
    args, kwargs = given
    spec = constructor(name_of(check))
    assert spec is not None
    names = [p.name for p in spec.parameters]
    if len(args) > len(names):
        raise TypeError(f"check '{check.name}' was given more positional arguments than it takes")
    bound = dict(zip(names, args, strict=False))
    bound.update(kwargs)
    return bound
