"""Translate S3 error responses into the storage package's errors."""

from __future__ import annotations

from minio.deleteobjects import DeleteError
from minio.error import InvalidResponseError, S3Error

from storage.errors import (
    ChecksumMismatchError,
    InvalidRetentionError,
    ObjectLockedError,
    ObjectNotFoundError,
    StorageError,
    StoreConfigError,
    StoreCredentialsError,
    StoreFullError,
)

_MISSING = {"NoSuchKey", "NoSuchVersion", "NoSuchObject", "ResourceNotFound"}
_CREDENTIALS = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"}
_CHECKSUM = {
    "BadDigest",
    "InvalidDigest",
    "XAmzContentSHA256Mismatch",
    "XAmzContentChecksumMismatch",
}
_FULL = {"QuotaExceeded", "XMinioStorageFull", "EntityTooLarge", "InsufficientCapacity"}
_NO_LOCK_CONFIG = {"ObjectLockConfigurationNotFoundError", "NoSuchObjectLockConfiguration"}


def translate(
    exc: S3Error | InvalidResponseError | DeleteError,
    *,
    key: str | None,
    bucket: str,
    guarded: bool = False,
) -> StorageError:
    """The storage error an S3 error response stands for.

    ``guarded`` marks a request that object lock may refuse (delete, lock
    changes, writes): there ``AccessDenied`` is the server's own lock
    enforcement. Every such request is preceded by a HEAD, which a wrong
    key already fails, so credentials show up as credentials errors.
    Elsewhere (reads) ``AccessDenied`` means the key or its rights are wrong.
    """
    code = getattr(exc, "code", None) or ""
    message = getattr(exc, "message", None) or str(exc)
    details = {"key": key, "bucket": bucket, "s3_code": code}
    if code in _MISSING:
        return ObjectNotFoundError(
            f"Không tìm thấy đối tượng '{key}' trong kho lưu trữ.",
            f"No object '{key}' in the store.",
            details=details,
        )
    if code == "NoSuchBucket":
        return StoreConfigError(
            f"Bucket '{bucket}' không tồn tại. Chạy 'eforms storage check' để tạo.",
            f"Bucket '{bucket}' does not exist. Run 'eforms storage check' to create it.",
            details=details,
        )
    if code in _CREDENTIALS or (code == "AccessDenied" and not guarded):
        return StoreCredentialsError(
            "Kho lưu trữ S3 từ chối khoá truy cập. Kiểm tra EFORMS_S3_ACCESS_KEY và "
            "EFORMS_S3_SECRET_KEY.",
            "The S3 store refused the access key. Check EFORMS_S3_ACCESS_KEY and "
            "EFORMS_S3_SECRET_KEY.",
            details=details,
        )
    if code == "AccessDenied":
        return ObjectLockedError(
            f"Kho lưu trữ từ chối thao tác trên '{key}' vì đối tượng đang bị khoá lưu giữ "
            "hoặc phong toả.",
            f"The store refused the operation on '{key}': the object is locked or held.",
            details=details,
        )
    if code in _CHECKSUM:
        return ChecksumMismatchError(
            f"Kho lưu trữ báo dữ liệu của '{key}' không khớp mã kiểm tra; không có gì được ghi.",
            f"The store found that the bytes of '{key}' do not match their checksum; "
            "nothing was stored.",
            details=details,
        )
    if code in _FULL:
        return StoreFullError(
            f"Kho lưu trữ S3 đã hết dung lượng hoặc hạn mức; '{key}' không được ghi.",
            f"The S3 store is out of space or quota; '{key}' was not stored.",
            details=details,
        )
    if code in _NO_LOCK_CONFIG:
        return StoreConfigError(
            f"Bucket '{bucket}' chưa bật object lock.",
            f"Bucket '{bucket}' has no object lock configuration.",
            details=details,
        )
    if code == "InvalidRequest" and "retention" in message.lower():
        return InvalidRetentionError(
            f"Kho lưu trữ từ chối thời hạn lưu giữ của '{key}': {message}",
            f"The store refused the retention of '{key}': {message}",
            details=details,
        )
    return StorageError(
        f"Kho lưu trữ S3 trả lỗi {code or type(exc).__name__}: {message}",
        f"The S3 store answered {code or type(exc).__name__}: {message}",
        details=details,
    )
