"""Project configuration: which codes to report, at what severity, and the tenant's limits.

Read from `orderspec.toml` (top level, or a `[tool.orderspec]` table) or from the
`[tool.orderspec]` table of `pyproject.toml`, whichever is found first walking up from the folder
of the specs a command is given (orderspec.config_files says how it is found and read); `--config
FILE` names the file instead. A file that is not valid TOML is a
ConfigError at its line and column, a pyproject.toml met on the way included. Example:

    [tool.orderspec]
    select = ["L", "R", "H"]          # codes or code prefixes; default: everything
    ignore = ["R051"]
    max-file-bytes = 20000000         # loader caps

    [tool.orderspec.severity]
    R007 = "error"

    [tool.orderspec.limits]           # tenants can have the API's limits raised
    sync-subscriptions = 100

    [tool.orderspec.existing-orders]  # orders a subscription already has in Zuora
    A-S00000123 = 990

    [tool.orderspec.accounts]         # customer accounts' settings the offline preview needs
    A0001 = { bill-cycle-day = 15, currency = "GBP" }   # day 1..31, or 0 (Auto-set)

    [tool.orderspec.send]             # `orderspec send` (its --concurrency wins)
    concurrency = 8                   # orders in flight at once
    max-concurrency = 40              # never more, whatever --concurrency says

Template expansion settings sit at the top level too (paths relative to the config file; the
command line's -f, --catalog, --env/--catalog-env and --templates take precedence):

    templates = ["order-templates"]   # searched after --templates, before the stock templates
    catalog = "catalog.yaml"          # instead of catalog.yaml beside each spec
    env = "sandbox"                   # catalog environment
    values = ["values/common.yaml"]   # values files, before (below) any -f

The tenant's state for the rules that need it (`--state DIR` on the command line wins):

    state = "state"                   # subscriptions/ and accounts/ as the API answers them
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

# ConfigError and find_config are this module's too: callers import them from here.
from orderspec.config_files import ConfigError, find_config, read_toml
from orderspec.diagnostics import Diagnostic, Severity
from orderspec.load import Limits
from orderspec.model import ASYNC_LIMITS, SYNC_LIMITS, SizeLimits


# `orderspec send`: orders in flight. 8 is where the emulator with a real tenant's latency stops
# gaining much per thread (bench/RESULTS.md) while leaving most of the tenant's concurrent-request
# allowance to its other integrations; 40 is Zuora's default limit of concurrent subscribe/amend
# requests per tenant (Concurrent Request Limits, knowledgecenter.zuora.com).
DEFAULT_CONCURRENCY = 8
DEFAULT_CEILING = 40


@dataclass(frozen=True)
class CheckLimits:
    """The Orders API limits the check stage enforces (defaults: Zuora's documented values)."""

    order_line_items: int = 100
    orders_per_subscription: int = 1000
    order_actions_per_charge: int = 1000
    # Zuora recommends staying at or below this many order actions per rate plan charge.
    order_actions_per_charge_recommended: int = 100
    sync: SizeLimits = SYNC_LIMITS
    async_: SizeLimits = ASYNC_LIMITS


@dataclass(frozen=True)
class SendConfig:
    """`orderspec send`: orders in flight at once, and the ceiling no run goes past (see
    orderspec.dispatch.pace for why these defaults)."""

    concurrency: int = DEFAULT_CONCURRENCY
    max_concurrency: int = DEFAULT_CEILING


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()  # empty: every code
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    limits: CheckLimits = CheckLimits()
    loader: Limits = Limits()
    existing_orders: Mapping[str, int] = field(default_factory=dict)
    # Bill cycle days of customer accounts, by account number (the offline preview's).
    account_bill_cycle_days: Mapping[str, int] = field(default_factory=dict)
    # Currencies of customer accounts, by account number: which catalog price applies.
    account_currencies: Mapping[str, str] = field(default_factory=dict)
    # The tenant has Invoice Settlement: the offline preview puts credits on credit memos.
    invoice_settlement: bool = False
    # Template expansion defaults, paths already resolved against the config file's folder.
    template_dirs: tuple[str, ...] = ()
    catalog: str | None = None
    catalog_env: str | None = None
    values_files: tuple[str, ...] = ()
    state_dir: str | None = None  # the state folder (docs/state.md), resolved against the config file
    source: str | None = None  # the file this came from, for messages
    send: SendConfig = SendConfig()

    def wants(self, code: str) -> bool:
        if self.select and not _matches(code, self.select):
            return False
        return not _matches(code, self.ignore)

    def apply(self, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
        """Drop the codes not selected (or ignored) and apply severity overrides."""
        kept: list[Diagnostic] = []
        for diagnostic in diagnostics:
            if not self.wants(diagnostic.code):
                continue
            override = self.severity.get(diagnostic.code)
            if override is not None and override is not diagnostic.severity:
                diagnostic = dataclasses.replace(diagnostic, severity=override)
            kept.append(diagnostic)
        return kept

    def with_cli(self, *, select: Iterable[str] = (), ignore: Iterable[str] = (),
                 existing_orders: Mapping[str, int] | None = None) -> "Config":
        """This configuration with command-line options layered on top (they win)."""
        select = tuple(_split_codes(select, "--select"))
        ignore = tuple(_split_codes(ignore, "--ignore"))
        return dataclasses.replace(
            self,
            select=select or self.select,
            ignore=self.ignore + ignore,
            existing_orders={**self.existing_orders, **(existing_orders or {})},
        )


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(code.startswith(pattern) for pattern in patterns)


def _known_code_or_prefix(entry: str) -> bool:
    from orderspec.registry import RULES

    return any(code.startswith(entry) for code in RULES)


def _split_codes(entries: Iterable[str], where: str) -> list[str]:
    codes: list[str] = []
    for entry in entries:
        for part in str(entry).split(","):
            code = part.strip().upper()
            if not code:
                continue
            if not _known_code_or_prefix(code):
                raise ConfigError(f"{where}: `{part.strip()}` is not a rule code or code prefix "
                                  "(see `orderspec rules`)")
            codes.append(code)
    return codes


def parse_existing_orders(entries: Iterable[str]) -> dict[str, int]:
    """`SUB=N` pairs from the command line."""
    counts: dict[str, int] = {}
    for entry in entries:
        subscription, sep, number = entry.partition("=")
        if not sep or not subscription.strip() or not number.strip().isdigit():
            raise ConfigError(f"--existing-orders `{entry}`: write SUBSCRIPTION=COUNT, "
                              "for example A-S00000123=990")
        counts[subscription.strip()] = int(number.strip())
    return counts


def load_config(path: str | Path | None = None, *, start: Path | None = None) -> Config:
    """The configuration from `path`, or from the nearest config file, or the defaults."""
    found = Path(path) if path is not None else find_config(start)
    if found is None:
        return Config()
    data = read_toml(found)
    table: Any
    if found.name == "pyproject.toml" or "tool" in data:
        tool = data.get("tool", {})
        table = tool.get("orderspec") if isinstance(tool, dict) else None
        if table is None:
            if path is not None:
                raise ConfigError(f"{found}: no [tool.orderspec] table")
            return Config()
    else:
        table = data
    return from_table(table, str(found))


_LOADER_KEYS = {"max-file-bytes": "max_file_bytes", "max-depth": "max_depth",
                "max-aliases": "max_aliases", "max-alias-nodes": "max_alias_nodes"}
_LIMIT_KEYS = {
    "order-line-items": "order_line_items",
    "orders-per-subscription": "orders_per_subscription",
    "order-actions-per-charge": "order_actions_per_charge",
    "order-actions-per-charge-recommended": "order_actions_per_charge_recommended",
}
_SIZE_KEYS = {"subscriptions": "subscriptions", "order-actions": "order_actions",
              "order-actions-per-subscription": "order_actions_per_subscription"}
_EXPAND_KEYS = ("templates", "catalog", "env", "values")
_TOP_KEYS = ("select", "ignore", "severity", "limits", "existing-orders", "accounts", "invoice-settlement",
             "state", *_LOADER_KEYS, *_EXPAND_KEYS, "send")
_ACCOUNT_KEYS = ("bill-cycle-day", "currency")


def from_table(table: Any, source: str) -> Config:
    """A Config from the parsed `[tool.orderspec]` table; every mistake is a ConfigError."""
    from orderspec.registry import RULES
    from orderspec.spec import did_you_mean

    def fail(message: str) -> ConfigError:
        return ConfigError(f"{source}: {message}")

    if not isinstance(table, dict):
        raise fail("[tool.orderspec] must be a table")
    for key in table:
        if key not in _TOP_KEYS:
            raise fail(f"unknown key `{key}`{did_you_mean(key, _TOP_KEYS)}")

    def code_list(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(f"`{key}` must be a list of rule codes")
        try:
            return tuple(_split_codes(value, key))
        except ConfigError as error:
            raise fail(str(error)) from None

    severity: dict[str, Severity] = {}
    raw_severity = table.get("severity", {})
    if not isinstance(raw_severity, dict):
        raise fail("`severity` must be a table of CODE = \"error\" | \"warning\" | \"info\"")
    for code, level in raw_severity.items():
        if code not in RULES:
            raise fail(f"severity: `{code}` is not a rule code{did_you_mean(code, tuple(RULES))}")
        if level not in ("error", "warning", "info"):
            raise fail(f"severity.{code}: `{level}` must be error, warning or info")
        severity[code] = Severity(level)

    def positive_int(where: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise fail(f"`{where}` must be a whole number >= 0, not {value!r}")
        return value

    raw_limits = table.get("limits", {})
    if not isinstance(raw_limits, dict):
        raise fail("`limits` must be a table")
    counts: dict[str, int] = {}
    sync, async_ = SYNC_LIMITS, ASYNC_LIMITS
    for key, value in raw_limits.items():
        if key in _LIMIT_KEYS:
            counts[_LIMIT_KEYS[key]] = positive_int(f"limits.{key}", value)
            continue
        mode, _, rest = key.partition("-")
        if mode in ("sync", "async") and rest in _SIZE_KEYS:
            number = positive_int(f"limits.{key}", value)
            if mode == "sync":
                sync = dataclasses.replace(sync, **{_SIZE_KEYS[rest]: number})
            else:
                async_ = dataclasses.replace(async_, **{_SIZE_KEYS[rest]: number})
            continue
        known = (*_LIMIT_KEYS, *(f"{m}-{k}" for m in ("sync", "async") for k in _SIZE_KEYS))
        raise fail(f"unknown limit `{key}`{did_you_mean(key, known)}")
    limits = CheckLimits(sync=sync, async_=async_, **counts)

    loader = Limits()
    for key, attribute in _LOADER_KEYS.items():
        if key in table:
            loader = dataclasses.replace(loader, **{attribute: positive_int(key, table[key])})

    existing: dict[str, int] = {}
    raw_existing = table.get("existing-orders", {})
    if not isinstance(raw_existing, dict):
        raise fail("`existing-orders` must be a table of SUBSCRIPTION = COUNT")
    for subscription, count in raw_existing.items():
        existing[subscription] = positive_int(f"existing-orders.{subscription}", count)

    bill_cycle_days: dict[str, int] = {}
    currencies: dict[str, str] = {}
    raw_accounts = table.get("accounts", {})
    if not isinstance(raw_accounts, dict):
        raise fail("`accounts` must be a table of ACCOUNT = { bill-cycle-day = DAY }")
    for account, settings in raw_accounts.items():
        if not isinstance(settings, dict):
            raise fail(f"accounts.{account} must be a table, e.g. {{ bill-cycle-day = 15 }}")
        for key in settings:
            if key not in _ACCOUNT_KEYS:
                raise fail(f"accounts.{account}: unknown key `{key}`{did_you_mean(key, _ACCOUNT_KEYS)}")
        if "bill-cycle-day" in settings:
            day = settings["bill-cycle-day"]
            if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 31:
                raise fail(f"accounts.{account}.bill-cycle-day must be a day 1..31, or 0 (Auto-set), not {day!r}")
            bill_cycle_days[account] = day
        if "currency" in settings:
            currency = settings["currency"]
            if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
                raise fail(f"accounts.{account}.currency must be a currency code such as USD, not {currency!r}")
            currencies[account] = currency

    # Relative paths name files beside the config file, wherever orderspec is run from.
    folder = Path(source).parent

    def text(key: str) -> str | None:
        value = table.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise fail(f"`{key}` must be text, not {value!r}")
        return value

    def paths(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise fail(f"`{key}` must be a list of paths")
        return tuple(str(folder / v) for v in value)

    settlement = table.get("invoice-settlement", False)
    if not isinstance(settlement, bool):
        raise fail(f"`invoice-settlement` must be true or false, not {settlement!r}")
    catalog = text("catalog")
    state = text("state")
    return Config(invoice_settlement=settlement, select=code_list("select"), ignore=code_list("ignore"), severity=severity,
                  limits=limits, loader=loader, existing_orders=existing, account_bill_cycle_days=bill_cycle_days,
                  account_currencies=currencies,
                  template_dirs=paths("templates"), catalog=str(folder / catalog) if catalog else None,
                  catalog_env=text("env"), values_files=paths("values"),
                  state_dir=str(folder / state) if state else None, source=source,
                  send=_send_config(table.get("send", {}), fail))


def _send_config(raw: Any, fail: Callable[[str], ConfigError]) -> SendConfig:
    if not isinstance(raw, dict):
        raise fail("`send` must be a table (concurrency, max-concurrency)")
    values: dict[str, int] = {}
    for key, value in raw.items():
        if key not in ("concurrency", "max-concurrency"):
            from orderspec.spec import did_you_mean

            raise fail(f"unknown key `send.{key}`{did_you_mean(key, ('concurrency', 'max-concurrency'))}")
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
            raise fail(f"`send.{key}` must be a whole number from 1 to 1000, not {value!r}")
        values[key.replace("-", "_")] = value
    return SendConfig(**values)
