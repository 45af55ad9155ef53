"""The readiness probes of this installation, built from its services."""

from __future__ import annotations

import requests

from portal.ops.health import Probe, http_probe
from portal.services import Services
from signing.configured import ConfiguredSigning
from signing.demo_services import DemoSigning
from signing.pkcs11_signer import check_token


def readiness_probes(svc: Services) -> list[Probe]:
    """Every dependency the configured installation needs."""
    probes = [
        Probe(
            "database",
            svc.db.ping,
            "Kiểm tra máy chủ cơ sở dữ liệu (EFORMS_DATABASE_URL) đang chạy và cho phép kết nối.",
            "Check that the database server (EFORMS_DATABASE_URL) is running and accepts "
            "connections.",
        )
    ]
    settings = svc.settings
    probes.append(
        Probe(
            "object_store",
            lambda: _reach_store(svc),
            "Kiểm tra kho lưu trữ đối tượng (EFORMS_OBJECT_STORE, EFORMS_S3_*): máy chủ chạy, "
            "bucket tồn tại, khóa truy cập đúng; với kho thư mục: quyền ghi và dung lượng.",
            "Check the object store (EFORMS_OBJECT_STORE, EFORMS_S3_*): server up, bucket present, "
            "credentials right; for the directory store, write permission and free space.",
        )
    )
    if settings.job_broker_url:
        probes.append(
            Probe(
                "job_broker",
                lambda: _ping_redis(settings.job_broker_url),
                "Không kết nối được Redis (EFORMS_JOB_BROKER_URL); công việc nền sẽ chờ.",
                "Redis (EFORMS_JOB_BROKER_URL) is unreachable; background jobs will wait.",
            )
        )
    if isinstance(svc.signing, DemoSigning) and svc.signing.serving:
        probes.append(
            http_probe(
                "signing.demo_pki",
                svc.signing.pki.base_url + "/",
                remedy_vi="Dịch vụ OCSP/CRL/TSA thử nghiệm không trả lời; khởi động lại eforms "
                "serve hoặc chạy eforms pki serve.",
                remedy_en="The demo OCSP/CRL/TSA services do not answer; restart eforms serve "
                "or run eforms pki serve.",
            )
        )
        probes.append(
            Probe(
                "signing.remote",
                lambda: _csc_info(svc.signing.csc_url),
                "Dịch vụ ký số từ xa (CSC) không trả lời.",
                "The remote signing service (CSC) does not answer.",
            )
        )
    if isinstance(svc.signing, ConfiguredSigning):
        probes.extend(_configured_signing_probes(svc.signing))
    for name, url in (
        ("prefill.population", settings.prefill_population_url),
        ("prefill.enterprise", settings.prefill_enterprise_url),
    ):
        if url:
            probes.append(
                http_probe(
                    name,
                    url,
                    remedy_vi=f"Không kết nối được dịch vụ chia sẻ dữ liệu {url}; biểu mẫu vẫn "
                    "mở được nhưng không tự điền. Kiểm tra mạng và chứng thư truy cập.",
                    remedy_en=f"The data-sharing service {url} is unreachable; forms still open "
                    "without prefill. Check the network and the access credentials.",
                )
            )
    return probes


def _configured_signing_probes(signing: ConfiguredSigning) -> list[Probe]:
    probes = [
        http_probe(
            "signing.tsa",
            signing.tsa_url,
            remedy_vi="Dịch vụ cấp dấu thời gian (EFORMS_TSA_URL) không trả lời; chưa ký được "
            "kết quả.",
            remedy_en="The timestamp authority (EFORMS_TSA_URL) does not answer; results "
            "cannot be signed.",
        )
    ]
    token = signing.pkcs11
    if token is not None:
        probes.append(
            Probe(
                "signing.pkcs11",
                lambda: check_token(token.module, token.token_label),
                "Không thấy thiết bị ký PKCS#11 (EFORMS_PKCS11_MODULE, EFORMS_PKCS11_TOKEN): "
                "kiểm tra HSM/token đã cắm và thư viện đúng.",
                "The PKCS#11 token (EFORMS_PKCS11_MODULE, EFORMS_PKCS11_TOKEN) is not found: "
                "check the HSM or token is connected and the library is right.",
            )
        )
    remote = signing.csc
    if remote is not None:
        probes.append(
            Probe(
                "signing.remote",
                lambda: _csc_info(remote.base_url),
                "Dịch vụ ký số từ xa (EFORMS_CSC_URL) không trả lời.",
                "The remote signing service (EFORMS_CSC_URL) does not answer.",
            )
        )
    return probes


def _reach_store(svc: Services) -> None:
    svc.object_store.describe()


def _csc_info(base_url: str) -> None:
    """CSC API v2 ``info`` (a POST without authentication, per the specification)."""
    response = requests.post(f"{base_url}/csc/v2/info", json={}, timeout=2.5)
    if response.status_code >= 500:
        raise RuntimeError(f"HTTP {response.status_code} from the CSC service")


def _ping_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise RuntimeError(f"Redis: {exc}") from exc
    finally:
        client.close()
