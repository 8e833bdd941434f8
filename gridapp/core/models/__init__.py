"""All ORM models; importing this module registers every table on ``Base.metadata``."""

from gridapp.core.models.accounts import Account, AuditEvent
from gridapp.core.models.baodao import (
    Activity,
    MemberRegistration,
    Need,
    Participation,
    PointsRule,
    Project,
    Resource,
    Unit,
    UnitPairing,
)
from gridapp.core.models.base import Base, Synced, new_id, utcnow
from gridapp.core.models.org import Building, Compound, OrgUnit, SpecialKind
from gridapp.core.models.people import GridAssignment, GridWorker, Person, PersonSearch, SearchPosition
from gridapp.core.models.property import (
    CrossAppointment,
    FirmQuarterly,
    FirmRating,
    OwnersCommittee,
    PropertyFirm,
    RatingIndicator,
    RatingScore,
    RatingTemplate,
    ServiceContract,
)
from gridapp.core.models.sync import SyncConflict, SyncCoverage, SyncPackage, SyncReceipt
from gridapp.core.models.system import ChangeJournal, CodeItem, JournalDictionary, Setting, Site
from gridapp.core.models.work import GridRequest, RequestStep

__all__ = [
    "Account", "Activity", "AuditEvent", "Base", "Building", "ChangeJournal", "CodeItem", "Compound", "CrossAppointment",
    "FirmQuarterly", "FirmRating", "GridAssignment", "GridRequest", "GridWorker", "JournalDictionary", "MemberRegistration", "Need",
    "OrgUnit", "OwnersCommittee", "Participation", "Person", "PersonSearch", "PointsRule", "Project", "PropertyFirm",
    "RatingIndicator", "RatingScore", "RatingTemplate", "RequestStep", "Resource", "SearchPosition", "ServiceContract", "Setting", "Site", "SpecialKind",
    "SyncConflict", "SyncCoverage", "SyncPackage", "SyncReceipt", "Synced", "Unit", "UnitPairing", "new_id",
    "utcnow",
]

SYNCED_MODELS: tuple[type[Synced], ...] = tuple(
    m.class_ for m in Base.registry.mappers if issubclass(m.class_, Synced)
)

# The field rules' flush hook: every value stored through the ORM meets the rules declared above.
from gridapp.core import fields as _fields  # noqa: E402, F401
