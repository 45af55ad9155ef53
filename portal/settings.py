"""One settings object, read from ``EFORMS_*`` environment variables.

Defaults run everything on one machine with no setup: SQLite, the filesystem
object store and the demo PKI under ``EFORMS_DATA_DIR`` (``var/`` in the
working directory). Unknown ``EFORMS_`` variables are refused so that a typo
never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from eforms.errors import EformsError
from storage.db import parse_database_url
from storage.errors import DatabaseConfigError

PREFIX = "EFORMS_"


class SettingsError(EformsError):
    """A setting is missing, malformed or unknown."""

    code = "settings.invalid"
    http_status = 500


@dataclass(frozen=True)
class Settings:
    """Every setting of the service. Field ``x`` is read from ``EFORMS_X``."""

    data_dir: Path = Path("var")
    """Holds the SQLite database, the filesystem object store, the demo PKI and backups."""
    database_url: str = ""
    """SQLAlchemy URL; empty means SQLite at ``<data_dir>/eforms.db``."""
    secret_key: str = ""
    """Signs sessions and CSRF tokens; empty means generated once into the data dir."""
    host: str = "127.0.0.1"
    port: int = 5000
    base_url: str = ""
    """Public URL of the service (QR codes, links in e-mails); empty means http://host:port."""
    default_locale: str = "vi"
    cookie_secure: bool | None = None
    """Secure flag on cookies; None means on when ``base_url`` is https."""
    login_max_attempts: int = 5
    """Failed passwords in a row before the account is locked."""
    login_lockout_minutes: int = 15
    login_rate_limit: str = "20 per minute"
    """Login attempts allowed from one address (Flask-Limiter notation)."""
    ratelimit_storage_url: str = "memory://"
    """Rate-limit counters; ``redis://...`` when several instances run."""
    max_upload_mb: int = 25
    home_agency_id: str = "000.00.00.H56"
    """The agency that runs this installation (the provincial department in the demo)."""
    oidc_issuer: str = ""
    """OpenID Connect issuer for citizen login; empty disables it."""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid profile"
    oidc_personal_id_claim: str = "personal_id"
    """Claim carrying the 12-digit personal identification number."""
    oidc_label: str = "Cổng Dịch vụ công quốc gia (VNeID)"
    dossier_code_pattern: str = "{agency}-{date:%y%m%d}-{seq:04d}"
    """Dossier codes; must use ``{agency}``, ``{date:...}`` and ``{seq:...}``."""
    holidays: str = ""
    """Extra non-working days, comma separated ``YYYY-MM-DD`` (Tết, Hùng Kings' day...)."""
    lookup_rate_limit: str = "30 per minute"
    """Public dossier lookups allowed from one address."""
    prefill_population_url: str = ""
    """Base URL of the population data-sharing service; empty: the bundled reference registry."""
    prefill_enterprise_url: str = ""
    """Base URL of the enterprise data-sharing service; empty: the bundled reference registry."""
    prefill_token: str = ""
    """Bearer token for the data-sharing services (takes precedence over user/password)."""
    prefill_username: str = ""
    """HTTP Basic user for the data-sharing services (when no token is set)."""
    prefill_password: str = ""
    prefill_timeout_ms: int = 3000
    """Timeout of one request to a data-sharing service."""
    prefill_retries: int = 2
    """Retries after a timeout, connection error, 429 or 5xx (exponential backoff)."""
    prefill_backoff_ms: int = 200
    """Wait before the first retry; doubles for each further retry."""
    prefill_budget_ms: int = 800
    """How long opening a form waits for all prefill sources together."""
    prefill_registry_seed: int = 20250701
    """Seed of the bundled synthetic reference registry."""
    prefill_registry_people: int = 10000
    prefill_registry_enterprises: int = 2000
    log_format: str = "json"
    """``json`` (one event per line) or ``text``."""
    log_level: str = "info"
    metrics_token: str = field(default="", repr=False)
    """Bearer token for ``/metrics``; empty allows loopback clients only."""
    workers: int = 2
    """Production server processes (gunicorn)."""
    threads: int = 8
    """Threads per production worker."""
    request_timeout: int = 60
    """Seconds a production worker may spend on one request before it is restarted."""
    forwarded_allow_ips: str = "127.0.0.1"
    """Reverse proxies whose X-Forwarded-* headers are trusted."""
    proxy_count: int = 0
    """Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted
    (1 behind one nginx); the client address used for rate limits and audit comes from them."""
    allow_demo_in_production: bool = False
    """Let ``eforms serve --production`` start with demo accounts or the demo PKI."""
    object_store: str = "fs"
    """``fs`` (directory ``objects_dir``) or ``s3`` (an S3 bucket with object lock)."""
    objects_dir: str = ""
    """Filesystem object store directory; empty means ``<data_dir>/objects``."""
    s3_endpoint: str = ""
    """``host:port`` of the S3 store (Ceph RGW, MinIO, AWS), without scheme."""
    s3_bucket: str = "eforms"
    s3_access_key: str = ""
    s3_secret_key: str = field(default="", repr=False)
    s3_region: str = "us-east-1"
    s3_secure: bool = True
    """HTTPS to the S3 store."""
    backup_target: str = ""
    """Default directory of ``eforms backup -o``; empty means ``<data_dir>/backups``."""
    job_broker_url: str = ""
    """Celery broker (``redis://host:6379/0``); empty runs jobs on in-process threads."""
    job_workers: int = 2
    """Threads of the in-process job queue."""
    archive_trust_roots: str = ""
    """PEM file(s), comma-separated, of the roots archive ingest verifies signatures against;
    empty means the demo PKI's root (demo mode only)."""
    archive_fixity_period_days: int = 365
    """Every archived file is re-read at least once in this many days (daily audits)."""
    outbox_endpoints: str = ""
    """Comma-separated URLs that receive dossier status events (empty: none)."""
    outbox_secret: str = field(default="", repr=False)
    """HMAC-SHA256 key for the ``X-Eforms-Signature`` header of delivered events."""
    outbox_max_attempts: int = 12
    outbox_interval_seconds: int = 5
    """How often the server's delivery loop runs."""
    pki_port: int = 9780
    """Loopback port of the demo PKI's OCSP, CRL and TSA (written into the demo certificates)."""
    csc_port: int = 0
    """Port of the demo CSC remote-signing server; 0 picks a free one."""
    signing_backend: str = "demo"
    """Where leaders' and agencies' keys are: ``demo`` (the demo PKI, demo mode only),
    ``pkcs11`` (a token or HSM, ``EFORMS_PKCS11_*``) or ``csc`` (a remote signing
    service, ``EFORMS_CSC_*``). Outside ``demo``, ``EFORMS_VERIFY_TRUST_ROOTS`` and
    ``EFORMS_TSA_URL`` are needed too."""
    pkcs11_module: str = ""
    """Path of the PKCS#11 library of the token or HSM (``libsofthsm2.so``, a vendor module)."""
    pkcs11_token: str = ""
    """Label of the token holding the signing keys."""
    pkcs11_pin: str = field(default="", repr=False)
    """User PIN of that token."""
    pkcs11_key_label: str = "{identity}"
    """Label of each key and its certificate on the token; ``{identity}`` becomes the
    leader's user name or the agency's id (e.g. ``seal-{identity}``)."""
    csc_url: str = ""
    """Base URL of a remote signing service (CSC API v2). Citizens sign their forms with
    it (credentials listed for their personal ID); with ``EFORMS_SIGNING_BACKEND=csc``
    leaders and agencies too (credentials listed for the user name or agency id)."""
    csc_client_id: str = ""
    csc_client_secret: str = field(default="", repr=False)
    tsa_url: str = ""
    """RFC 3161 timestamp authority for signatures at B-T and above (real backends)."""
    signing_ca_certs: str = ""
    """PEM files of intermediate CAs, comma separated, that help build certificate paths."""
    signing_images_dir: str = ""
    """Folder of appearance images: ``<user name>.png`` (a leader's signature) and
    ``<agency id>.png`` (the agency's seal), transparent PNG."""
    signing_leader_title: str = "THỦ TRƯỞNG CƠ QUAN"
    """Title printed above a leader's signature (real backends)."""
    verify_trust_roots: str = ""
    """PEM files of the verification trust anchors, separated by commas (production: the
    national roots); empty trusts the demo PKI's root."""
    verify_revocation: str = "both"
    """Where certificate status comes from when verifying: embedded, online or both."""
    verify_public_max_mb: int = 10
    """Largest PDF the public verification page accepts."""
    verify_public_max_signatures: int = 20
    """Most signatures a PDF may carry on the public page and API (the auditor's page checks
    up to 600): each one costs path building and status requests to anonymous callers."""
    verify_public_rate_limit: str = "10 per minute"
    """Public verifications allowed from one address (Flask-Limiter notation)."""
    demo: bool = True
    """Demo mode: local login for everyone, demo PKI, demo data allowed."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Programmatic overrides (tests); never read from the environment."""

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'eforms.db').resolve()}"

    @property
    def resolved_objects_dir(self) -> Path:
        """The filesystem object store's directory."""
        return Path(self.objects_dir) if self.objects_dir else self.data_dir / "objects"

    @property
    def resolved_backup_target(self) -> Path:
        """Where backups go unless ``-o`` says otherwise."""
        return Path(self.backup_target) if self.backup_target else self.data_dir / "backups"

    @property
    def resolved_base_url(self) -> str:
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def resolved_cookie_secure(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.resolved_base_url.startswith("https://")

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from ``environ`` (default ``os.environ``) and check them."""
        environ = os.environ if environ is None else environ
        known = {f.name: f for f in fields(cls) if f.name != "extra"}
        values: dict[str, Any] = {}
        for key, raw in environ.items():
            if not key.startswith(PREFIX):
                continue
            name = key[len(PREFIX) :].lower()
            if name not in known:
                raise SettingsError(
                    f"Biến môi trường không được hỗ trợ: {key}. Kiểm tra lỗi chính tả.",
                    f"Unknown environment variable {key}. Check its spelling.",
                    details={"variable": key},
                )
            values[name] = _convert(key, raw, known[name].type)
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse settings the service cannot start with, naming the variable."""
        try:
            parse_database_url(self.resolved_database_url)
        except DatabaseConfigError as exc:
            raise SettingsError(exc.message_vi, exc.message_en, details=exc.details) from exc
        self._check_dossier_rules()
        self._check_outbox()
        self._check_prefill()
        self._check_object_store()
        self._check_signing()
        if self.default_locale not in ("vi", "en"):
            raise SettingsError(
                "EFORMS_DEFAULT_LOCALE phải là 'vi' hoặc 'en'.",
                "EFORMS_DEFAULT_LOCALE must be 'vi' or 'en'.",
                details={"variable": "EFORMS_DEFAULT_LOCALE"},
            )
        if self.verify_public_max_signatures < 1:
            raise SettingsError(
                "EFORMS_VERIFY_PUBLIC_MAX_SIGNATURES phải từ 1 trở lên.",
                "EFORMS_VERIFY_PUBLIC_MAX_SIGNATURES must be at least 1.",
                details={"variable": "EFORMS_VERIFY_PUBLIC_MAX_SIGNATURES"},
            )
        if self.verify_revocation not in ("embedded", "online", "both"):
            raise SettingsError(
                "EFORMS_VERIFY_REVOCATION phải là 'embedded', 'online' hoặc 'both'.",
                "EFORMS_VERIFY_REVOCATION must be 'embedded', 'online' or 'both'.",
                details={"variable": "EFORMS_VERIFY_REVOCATION"},
            )

    @property
    def outbox_endpoint_list(self) -> tuple[str, ...]:
        return tuple(u.strip() for u in self.outbox_endpoints.split(",") if u.strip())

    def _check_outbox(self) -> None:
        for url in self.outbox_endpoint_list:
            if not url.startswith(("http://", "https://")):
                raise SettingsError(
                    f"EFORMS_OUTBOX_ENDPOINTS có địa chỉ không hợp lệ: {url!r}.",
                    f"EFORMS_OUTBOX_ENDPOINTS has an invalid URL: {url!r}.",
                    details={"variable": "EFORMS_OUTBOX_ENDPOINTS"},
                )
        if self.outbox_endpoint_list and not self.outbox_secret:
            raise SettingsError(
                "Cần đặt EFORMS_OUTBOX_SECRET để ký các sự kiện gửi đi.",
                "Set EFORMS_OUTBOX_SECRET to sign the events sent to EFORMS_OUTBOX_ENDPOINTS.",
                details={"variable": "EFORMS_OUTBOX_SECRET"},
            )

    def _check_dossier_rules(self) -> None:
        from dossiers import CodeFormat, DossierError, WorkingCalendar

        try:
            CodeFormat(self.dossier_code_pattern)
        except DossierError as exc:
            raise SettingsError(
                f"EFORMS_DOSSIER_CODE_PATTERN: {exc.message_vi}",
                f"EFORMS_DOSSIER_CODE_PATTERN: {exc.message_en}",
                details={"variable": "EFORMS_DOSSIER_CODE_PATTERN"},
            ) from exc
        try:
            WorkingCalendar.from_iso(self.holidays.split(","))
        except ValueError as exc:
            raise SettingsError(
                f"EFORMS_HOLIDAYS có ngày không hợp lệ ({exc}); dùng dạng YYYY-MM-DD, cách nhau "
                "bằng dấu phẩy.",
                f"EFORMS_HOLIDAYS has an invalid day ({exc}); use YYYY-MM-DD, comma separated.",
                details={"variable": "EFORMS_HOLIDAYS"},
            ) from exc

    def _check_prefill(self) -> None:
        for name in ("prefill_population_url", "prefill_enterprise_url"):
            url = getattr(self, name)
            if url and not url.startswith(("http://", "https://")):
                raise SettingsError(
                    f"EFORMS_{name.upper()} phải là địa chỉ http:// hoặc https:// (hoặc để trống "
                    "để dùng dữ liệu tham chiếu đi kèm).",
                    f"EFORMS_{name.upper()} must be an http:// or https:// URL (or empty for the "
                    "bundled reference registry).",
                    details={"variable": f"EFORMS_{name.upper()}"},
                )
        for name in ("prefill_timeout_ms", "prefill_budget_ms", "prefill_registry_people"):
            if getattr(self, name) <= 0:
                raise SettingsError(
                    f"EFORMS_{name.upper()} phải lớn hơn 0.",
                    f"EFORMS_{name.upper()} must be greater than 0.",
                    details={"variable": f"EFORMS_{name.upper()}"},
                )
        for name in ("prefill_retries", "prefill_backoff_ms", "prefill_registry_enterprises"):
            if getattr(self, name) < 0:
                raise SettingsError(
                    f"EFORMS_{name.upper()} không được âm.",
                    f"EFORMS_{name.upper()} must not be negative.",
                    details={"variable": f"EFORMS_{name.upper()}"},
                )

    def _check_object_store(self) -> None:
        if self.object_store not in ("fs", "s3"):
            raise SettingsError(
                "EFORMS_OBJECT_STORE phải là 'fs' hoặc 's3'.",
                "EFORMS_OBJECT_STORE must be 'fs' or 's3'.",
                details={"variable": "EFORMS_OBJECT_STORE"},
            )
        if self.object_store == "s3":
            for name in ("s3_endpoint", "s3_bucket", "s3_access_key", "s3_secret_key"):
                if not getattr(self, name):
                    variable = f"EFORMS_{name.upper()}"
                    raise SettingsError(
                        f"EFORMS_OBJECT_STORE=s3 cần {variable}.",
                        f"EFORMS_OBJECT_STORE=s3 needs {variable}.",
                        details={"variable": variable},
                    )

    def _check_signing(self) -> None:
        backend = self.signing_backend
        if backend not in ("demo", "pkcs11", "csc"):
            raise SettingsError(
                "EFORMS_SIGNING_BACKEND phải là 'demo', 'pkcs11' hoặc 'csc'.",
                "EFORMS_SIGNING_BACKEND must be 'demo', 'pkcs11' or 'csc'.",
                details={"variable": "EFORMS_SIGNING_BACKEND"},
            )
        needed = {
            "demo": (),
            "pkcs11": ("pkcs11_module", "pkcs11_token", "pkcs11_pin"),
            "csc": ("csc_url", "csc_client_id", "csc_client_secret"),
        }[backend]
        if backend != "demo":
            needed += ("verify_trust_roots", "tsa_url")
        for name in needed:
            if not getattr(self, name):
                variable = f"EFORMS_{name.upper()}"
                raise SettingsError(
                    f"EFORMS_SIGNING_BACKEND={backend} cần {variable}.",
                    f"EFORMS_SIGNING_BACKEND={backend} needs {variable}.",
                    details={"variable": variable},
                )
        if self.csc_url and not (self.csc_client_id and self.csc_client_secret):
            raise SettingsError(
                "EFORMS_CSC_URL cần EFORMS_CSC_CLIENT_ID và EFORMS_CSC_CLIENT_SECRET.",
                "EFORMS_CSC_URL needs EFORMS_CSC_CLIENT_ID and EFORMS_CSC_CLIENT_SECRET.",
                details={"variable": "EFORMS_CSC_CLIENT_ID"},
            )
        for name in ("csc_url", "tsa_url"):
            url = getattr(self, name)
            if url and not url.startswith(("http://", "https://")):
                raise SettingsError(
                    f"EFORMS_{name.upper()} phải là địa chỉ http:// hoặc https://.",
                    f"EFORMS_{name.upper()} must be an http:// or https:// URL.",
                    details={"variable": f"EFORMS_{name.upper()}"},
                )
        if "{identity}" not in self.pkcs11_key_label:
            raise SettingsError(
                "EFORMS_PKCS11_KEY_LABEL phải chứa {identity} (tên đăng nhập hoặc mã cơ quan).",
                "EFORMS_PKCS11_KEY_LABEL must contain {identity} (user name or agency id).",
                details={"variable": "EFORMS_PKCS11_KEY_LABEL"},
            )
        paths = [("pkcs11_module", self.pkcs11_module)] if backend == "pkcs11" else []
        paths += [("signing_ca_certs", p) for p in split_paths(self.signing_ca_certs)]
        if backend != "demo":
            paths += [("verify_trust_roots", p) for p in split_paths(self.verify_trust_roots)]
        if self.signing_images_dir:
            paths.append(("signing_images_dir", self.signing_images_dir))
        for name, path in paths:
            if not Path(path).exists():
                variable = f"EFORMS_{name.upper()}"
                raise SettingsError(
                    f"{variable}: không tìm thấy {path}.",
                    f"{variable}: {path} does not exist.",
                    details={"variable": variable, "path": str(path)},
                )

    def ensure_secret_key(self) -> str:
        """The configured secret, or one generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


def split_paths(value: str) -> list[str]:
    """The paths of a comma-separated setting, blanks dropped."""
    return [p.strip() for p in value.split(",") if p.strip()]


def _convert(key: str, raw: str, annotation: Any) -> Any:
    kind = str(annotation)
    try:
        if "Path" in kind:
            return Path(raw)
        if "bool" in kind:
            return _parse_bool(key, raw)
        if "int" in kind:
            return int(raw)
    except ValueError as exc:
        raise SettingsError(
            f"Giá trị của {key} không hợp lệ: {raw!r}.",
            f"{key} has an invalid value: {raw!r}.",
            details={"variable": key},
        ) from exc
    return raw


def _parse_bool(key: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{key}: not a boolean")
