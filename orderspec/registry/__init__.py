"""Every diagnostic code orderspec can report, with its default severity and documentation.

Codes are stable: once published, a code keeps its meaning. Families:
  Y  loading YAML/JSON (encoding, syntax, YAML's type traps, resource caps)
  F  the spec wrapper (orderspec version, operation, headers)
  S  the request body against the JSON Schema derived from the API reference
  L  the API's limits (sizes, counts)            -- see orderspec.check
  R  rules across fields that a schema cannot say -- see orderspec.check
  H  request headers
  T  templates, values and catalog               -- see orderspec.expand
  Z  state files: subscriptions and accounts as the API answered them -- see orderspec.state
Each family's codes are in a module of their own here (loading: Y, F, S; checks: L, R, H;
preview: P; state: Z; templates: T).
"""

from __future__ import annotations

from dataclasses import dataclass

from orderspec.diagnostics import Severity


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str = ""
    bad: str = ""
    good: str = ""


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.code in RULES:
        raise ValueError(f"rule code {rule.code} registered twice")
    RULES[rule.code] = rule
    return rule


def rule(code: str) -> Rule:
    return RULES[code]


def default_severity(code: str) -> Severity:
    found = RULES.get(code)
    return found.severity if found else Severity.ERROR


E, W = Severity.ERROR, Severity.WARNING


# Each family registers its codes when imported, in the order the codes are documented.
from orderspec.registry import loading  # noqa: E402,F401,I001
from orderspec.registry import checks  # noqa: E402,F401,I001
from orderspec.registry import preview  # noqa: E402,F401,I001
from orderspec.registry import state  # noqa: E402,F401,I001
from orderspec.registry import templates  # noqa: E402,F401,I001
