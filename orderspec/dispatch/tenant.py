"""Which tenant a request goes to, as the journal records it.

Zuora keeps orders, order numbers and idempotency keys per tenant, so what the journal knows about
an order only holds for the tenant it was sent to: an order rehearsed on the emulator has not been
created in the sandbox. A tenant is named by its base URL, normalised so that spellings of one URL
agree (`--env emulator` and `--base-url http://127.0.0.1:8765/` are the same tenant), and, in
multi-entity and multi-org tenants, by the entity and orgs a request names in its
`Zuora-Entity-Ids` / `Zuora-Org-Ids` headers (the API performs the operation there).

Two tenants behind one base URL with different OAuth clients are not told apart: the credentials
never go into the journal, and nothing else in a request names the tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
ENTITY_HEADER, ORG_HEADER = "Zuora-Entity-Ids", "Zuora-Org-Ids"


class BaseUrlError(ValueError):
    """A base URL that cannot name a tenant. The message never repeats the URL: it may hold a password."""


def normal_base_url(url: str) -> str:
    """scheme://host[:port][/path]: scheme and host lower-cased, the scheme's default port and
    trailing slashes dropped. A URL with credentials, a query or a fragment is refused."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise BaseUrlError("the base URL is not a valid URL (bad host or port)") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise BaseUrlError("the base URL must be an http(s) URL with a host, like https://rest.test.zuora.com")
    if parts.username is not None or parts.password is not None:
        raise BaseUrlError("the base URL must not carry credentials (user:password@): set ZUORA_CLIENT_ID and "
                           "ZUORA_CLIENT_SECRET instead")
    if parts.query or parts.fragment or url.strip().endswith(("?", "#")):
        raise BaseUrlError("the base URL must not have a query or a fragment")
    host = parts.hostname  # lower-cased by urlsplit, without an IPv6 literal's brackets
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def _ids(value: object) -> str:
    """A comma-separated ID header as a canonical string (sorted, no blanks); "" when not given."""
    if not isinstance(value, str):
        return ""
    return ",".join(sorted({part.strip() for part in value.split(",") if part.strip()}))


@dataclass(frozen=True)
class Tenant:
    base_url: str  # normalised
    entity_ids: str = ""  # "" when the request names none
    org_ids: str = ""

    @classmethod
    def of(cls, base_url: str, headers: Mapping[str, str] | None = None) -> "Tenant":
        headers = headers or {}
        return cls(normal_base_url(base_url), _ids(headers.get(ENTITY_HEADER)), _ids(headers.get(ORG_HEADER)))

    def as_json(self) -> dict[str, str]:
        data = {"baseUrl": self.base_url}
        if self.entity_ids:
            data["entityIds"] = self.entity_ids
        if self.org_ids:
            data["orgIds"] = self.org_ids
        return data

    @classmethod
    def from_json(cls, data: Any) -> "Tenant | None":
        """The tenant of a journal record; None when the record names none (or not readably)."""
        if not isinstance(data, dict) or not isinstance(data.get("baseUrl"), str):
            return None
        try:
            base_url = normal_base_url(data["baseUrl"])
        except BaseUrlError:
            return None
        return cls(base_url, _ids(data.get("entityIds")), _ids(data.get("orgIds")))

    def __str__(self) -> str:
        scope = [f"entity {self.entity_ids}"] * bool(self.entity_ids) + [f"orgs {self.org_ids}"] * bool(self.org_ids)
        return self.base_url + (f" ({', '.join(scope)})" if scope else "")
