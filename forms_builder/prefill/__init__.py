"""Auto-fill of e-forms from data the state already holds.

Sources (ports in :mod:`.ports`): population data by personal ID, enterprise
data by enterprise code, and the citizen's data store of earlier results.
Adapters: the bundled synthetic reference registry (:mod:`.bundled_sources`),
HTTP data-sharing services (:mod:`.http_sources`) and the database
(:mod:`.sql_citizen_store`). The :class:`PrefillResolver` fills a form's
bound fields from all of them concurrently within a time budget, and
:func:`check_locked_values` re-checks locked values at submission.
"""

from forms_builder.prefill.bindings import FieldBinding, OnUnavailable
from forms_builder.prefill.bundled_sources import (
    BundledEnterpriseSource,
    BundledPersonSource,
    LazyRegistry,
)
from forms_builder.prefill.errors import (
    BindingError,
    CitizenRecordConflictError,
    LockedValueChangedError,
    MalformedRecordError,
    PrefillError,
    SourceUnavailableError,
)
from forms_builder.prefill.http_sources import (
    HttpEnterpriseSource,
    HttpPersonSource,
    HttpSourceConfig,
)
from forms_builder.prefill.locked_check import LockedCheck, LockedValueChange, check_locked_values
from forms_builder.prefill.model import (
    Address,
    BusinessLine,
    CitizenRecord,
    CitizenRecords,
    EnterpriseRecord,
    EnterpriseStatus,
    Household,
    HouseholdMember,
    LegalRepresentative,
    LookupResult,
    LookupStatus,
    PersonRecord,
)
from forms_builder.prefill.ports import (
    CitizenDataStore,
    EnterpriseSource,
    PersonSource,
    PrefillSource,
)
from forms_builder.prefill.reference_registry import (
    DEMO_CITIZEN_ID,
    DEMO_ENTERPRISE_BRANCH_CODE,
    DEMO_ENTERPRISE_CODE,
    DEMO_HOUSEHOLD_HEAD_ID,
    DEMO_HOUSEHOLD_IDS,
    ReferenceRegistry,
    generate_registry,
)
from forms_builder.prefill.resolver import (
    NoticeKind,
    PrefilledValue,
    PrefillResolver,
    PrefillResult,
    SourceFailure,
    SourceFailureObserver,
    SourceNotice,
)
from forms_builder.prefill.service import PrefillConfig, PrefillService, build_prefill
from forms_builder.prefill.sql_citizen_store import SqlCitizenDataStore
from forms_builder.prefill.wsgi_registry_service import RegistryService

__all__ = [
    "DEMO_CITIZEN_ID",
    "DEMO_ENTERPRISE_BRANCH_CODE",
    "DEMO_ENTERPRISE_CODE",
    "DEMO_HOUSEHOLD_HEAD_ID",
    "DEMO_HOUSEHOLD_IDS",
    "Address",
    "BindingError",
    "BundledEnterpriseSource",
    "BundledPersonSource",
    "BusinessLine",
    "CitizenDataStore",
    "CitizenRecord",
    "CitizenRecordConflictError",
    "CitizenRecords",
    "EnterpriseRecord",
    "EnterpriseSource",
    "EnterpriseStatus",
    "FieldBinding",
    "Household",
    "HouseholdMember",
    "HttpEnterpriseSource",
    "HttpPersonSource",
    "HttpSourceConfig",
    "LazyRegistry",
    "LegalRepresentative",
    "LockedCheck",
    "LockedValueChange",
    "LockedValueChangedError",
    "LookupResult",
    "LookupStatus",
    "MalformedRecordError",
    "NoticeKind",
    "OnUnavailable",
    "PersonRecord",
    "PersonSource",
    "PrefillConfig",
    "PrefillError",
    "PrefillResolver",
    "PrefillResult",
    "PrefillService",
    "PrefillSource",
    "PrefilledValue",
    "ReferenceRegistry",
    "RegistryService",
    "SourceFailure",
    "SourceFailureObserver",
    "SourceNotice",
    "SourceUnavailableError",
    "SqlCitizenDataStore",
    "build_prefill",
    "check_locked_values",
    "generate_registry",
]
