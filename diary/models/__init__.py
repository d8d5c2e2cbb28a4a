"""Every model, imported here so metadata (and Alembic) sees all tables."""

from diary.models.access_token import AccessToken
from diary.models.activation_code import ActivationCode
from diary.models.adverse_event import AdverseEvent
from diary.models.adverse_event_version import AdverseEventVersion
from diary.models.alert import Alert
from diary.models.audit_event import AuditEvent
from diary.models.dose_block import DoseBlock
from diary.models.dose_entry import DoseEntry
from diary.models.dose_hold import DoseHold
from diary.models.inbound_message import InboundMessage
from diary.models.message import Message
from diary.models.participant import Participant
from diary.models.prescribed_dose import PrescribedDose
from diary.models.recovery_code import RecoveryCode
from diary.models.set_password_code import SetPasswordCode
from diary.models.sign_off import SignOff
from diary.models.site import Site
from diary.models.staff_user import StaffUser, staff_site
from diary.models.study import Study
from diary.models.symptom_answer import SymptomAnswer
from diary.models.symptom_report import SymptomReport
from diary.models.symptom_score import SymptomScore
from diary.models.tumour_assessment import TumourAssessment
from diary.models.tumour_assessment_version import TumourAssessmentVersion
from diary.models.vital_status import VitalStatus

__all__ = [
    "AccessToken",
    "ActivationCode",
    "AdverseEvent",
    "AdverseEventVersion",
    "Alert",
    "AuditEvent",
    "DoseBlock",
    "DoseEntry",
    "DoseHold",
    "InboundMessage",
    "Message",
    "Participant",
    "PrescribedDose",
    "RecoveryCode",
    "SetPasswordCode",
    "SignOff",
    "Site",
    "StaffUser",
    "Study",
    "SymptomAnswer",
    "SymptomReport",
    "SymptomScore",
    "TumourAssessment",
    "TumourAssessmentVersion",
    "VitalStatus",
    "staff_site",
]
