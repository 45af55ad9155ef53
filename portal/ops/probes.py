"""The readiness probes of this installation, built from its services."""

from __future__ import annotations

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
