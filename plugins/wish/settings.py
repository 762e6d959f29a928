"""What a deployment configures for the Wish plugin (``[plugin.wish]`` in ``tradewind.toml``).

Every key can also come from the environment as ``TRADEWIND_PLUGIN__WISH__<KEY>``. The app
credentials (``client_id``, ``client_secret``) come from the Wish app registered on the merchant
dashboard; without them the plugin still loads (so deployments that do not sell on Wish start
normally) but authorizing a store says which setting is missing.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from core.config import ConfigError, Settings
from core.errors import PermanentError

PLUGIN_ID = "wish"
PRODUCTION_BASE_URL = "https://merchant.wish.com"


class WishSettings(BaseModel):
    """The Wish plugin's deployment settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    client_id: str | None = Field(
        None, description="Client id of the Wish app (merchant dashboard, API settings)."
    )
    client_secret: SecretStr | None = Field(None, description="Client secret of the Wish app.")
    base_url: str = Field(
        PRODUCTION_BASE_URL,
        description="Wish's address; a sandbox's (http://127.0.0.1:8765) for tests and demos.",
    )
    sync_interval_minutes: int = Field(
        15, ge=1, le=1440, description="How often every active Wish store is synced."
    )
    order_sync_overlap_minutes: int = Field(
        10, ge=0, le=1440, description="How far before the last watermark an order sync restarts."
    )
    product_sync_overlap_minutes: int = Field(
        10, ge=0, le=1440, description="How far before the last watermark a product sync restarts."
    )
    initial_sync_days: int = Field(
        90, ge=1, le=3650, description="How far back the first sync of a store reaches."
    )
    order_page_size: int = Field(100, ge=1, le=500, description="Orders per list call (1-500).")
    product_page_size: int = Field(
        100, ge=1, le=1000, description="Products per list call (1-1000)."
    )
    sync_lanes: int = Field(
        4, ge=1, le=32, description="Time ranges of one sync fetched in parallel."
    )
    rate_limit_per_second: float = Field(
        10.0,
        gt=0,
        description="Requests per second Wish allows this app per merchant (Wish publishes no "
        "number; use what Wish granted). The budget also lowers it when the "
        "Wish-Rate-Limit-Remaining header shows a smaller limit.",
    )
    rate_window_seconds: float = Field(
        1.0, gt=0, description="Length of Wish's rate-limit window in seconds."
    )
    rate_budget_share: float = Field(
        0.95,
        gt=0,
        le=2,
        description="Share of the limit the budget spends (below 1 stays just under it).",
    )
    max_concurrency: int = Field(
        8, ge=1, le=256, description="Requests in flight per store and process."
    )
    rate_budget_backend: Literal["auto", "memory", "redis"] = Field(
        "auto",
        description="Where the per-store budget lives: memory (one process), redis (shared by "
        "every worker), auto (redis when redis_url is configured, else memory).",
    )
    request_timeout_seconds: float = Field(
        30.0, gt=0, le=600, description="Seconds to wait for one Wish answer."
    )
    max_attempts: int = Field(
        4, ge=1, le=20, description="Attempts of one call on timeouts and 5xx before giving up."
    )
    max_rate_limit_waits: int = Field(
        20, ge=0, le=1000, description="429 answers one call waits out before giving up."
    )

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL such as https://merchant.wish.com")
        return value.rstrip("/")

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> WishSettings:
        """Validate a raw settings table.

        Raises:
            ConfigError: one line naming the first wrong setting.
        """
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"]) or "?"
            raise ConfigError(f"setting 'plugin.wish.{where}': {error['msg']}") from None

    @classmethod
    def load(cls, settings: Settings) -> WishSettings:
        """Read and validate ``[plugin.wish]`` from the deployment settings.

        Raises:
            ConfigError: one line naming the first wrong setting.
        """
        return cls.from_mapping(settings.plugin_settings(PLUGIN_ID))

    def app_credentials(self) -> tuple[str, str]:
        """Return ``(client_id, client_secret)``.

        Raises:
            PermanentError: the app is not configured (names the missing setting).
        """
        if not self.client_id:
            raise PermanentError(
                "the Wish app is not configured: set plugin.wish.client_id "
                "(TRADEWIND_PLUGIN__WISH__CLIENT_ID)",
                code="not_configured",
            )
        if self.client_secret is None or not self.client_secret.get_secret_value():
            raise PermanentError(
                "the Wish app is not configured: set plugin.wish.client_secret "
                "(TRADEWIND_PLUGIN__WISH__CLIENT_SECRET)",
                code="not_configured",
            )
        return self.client_id, self.client_secret.get_secret_value()

    def uses_redis_budget(self, settings: Settings) -> bool:
        """Whether the rate budget is shared through Redis."""
        if self.rate_budget_backend == "auto":
            return settings.redis_url is not None
        return self.rate_budget_backend == "redis"

    def redacted(self) -> dict[str, Any]:
        """The settings as plain data with the secret replaced by ``'***'``."""
        data = self.model_dump(mode="json")
        data["client_secret"] = "***" if self.client_secret is not None else None
        return data
