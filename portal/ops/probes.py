"""The readiness probes of this installation, built from its services."""

from __future__ import annotations

import requests

from portal.ops.health import Probe, http_probe
from portal.services import Services


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
    if svc.signing.serving:
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
