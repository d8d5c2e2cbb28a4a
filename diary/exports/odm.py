"""A certified copy as CDISC ODM 1.3.2 XML, built with odmlib: one subject, every version.

Each stored row (a dose entry version, an adverse event version, a symptom report, an
answer, a score, a regimen step or hold) is one ItemGroupData, keyed by its id, with an
AuditRecord of who recorded it, when and why; versions after the first are Updates. The
whole audit trail follows in ClinicalData/AuditRecords, each record carrying its place in
the hash chain (SourceID), and each sign-off is a Signature in ClinicalData/Signatures
(only there: an xs:ID appears once in a document). The metadata (ItemDefs and their data types) is
derived from the tables themselves, so a new column is exported without a change here.
"""

import json
import re
from collections.abc import Callable
from datetime import UTC

import odmlib.odm_1_3_2.model as ODM
import sqlalchemy as sa
from odmlib.oid_generator import create_oid_checker

from diary.models import (
    AdverseEventVersion,
    DoseEntry,
    DoseHold,
    PrescribedDose,
    SymptomAnswer,
    SymptomReport,
    SymptomScore,
)
from diary.types import UTCDateTime

MDV = "MDV.1"
EVENT = "SE.DIARY"


def _answers(copy):
    return [a for report in copy.symptom_reports for a in report["answers"]]


# (key, name, model, rows of the copy): one form and one item group each.
KINDS: list[tuple[str, str, type, Callable]] = [
    ("DOSE", "Dose entries", DoseEntry, lambda copy: copy.doses),
    ("AE", "Adverse event versions", AdverseEventVersion,
     lambda copy: [v for event in copy.adverse_events for v in event["versions"]]),
    ("SR", "Symptom reports", SymptomReport, lambda copy: copy.symptom_reports),
    ("SA", "Symptom answers", SymptomAnswer, _answers),
    ("SS", "Symptom scores", SymptomScore,
     lambda copy: [s for answer in _answers(copy) for s in answer["scores"]]),
    ("RXDOSE", "Prescribed doses", PrescribedDose,
     lambda copy: copy.regimen["prescribed_doses"]),
    ("RXHOLD", "Dose holds", DoseHold, lambda copy: copy.regimen["holds"]),
]
_REASONS = ("change_reason", "correction_reason", "reason")


def _data_type(column: sa.Column) -> str:
    kind = column.type
    if isinstance(kind, UTCDateTime | sa.DateTime):
        return "datetime"
    for sql_type, odm_type in ((sa.Boolean, "boolean"), (sa.Integer, "integer"),
                               (sa.Numeric, "float"), (sa.Date, "date"), (sa.Time, "time")):
        if isinstance(kind, sql_type):
            return odm_type
    return "text"


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()


def _instant(value) -> str:
    return value.astimezone(UTC).isoformat()


def _user_oid(actor_type: str, actor_id: int | None) -> str:
    return f"USR.{actor_type.upper()}.{actor_id}" if actor_id is not None else "USR.SYSTEM"


def _metadata() -> ODM.MetaDataVersion:
    mdv = ODM.MetaDataVersion(OID=MDV, Name="Treatment diary record")
    mdv.Protocol = ODM.Protocol(StudyEventRef=[ODM.StudyEventRef(StudyEventOID=EVENT,
                                                                 Mandatory="Yes")])
    mdv.StudyEventDef = [ODM.StudyEventDef(
        OID=EVENT, Name="Diary", Repeating="No", Type="Common",
        FormRef=[ODM.FormRef(FormOID=f"F.{key}", Mandatory="No") for key, *_ in KINDS])]
    for key, name, model, _rows in KINDS:
        mdv.FormDef.append(ODM.FormDef(OID=f"F.{key}", Name=name, Repeating="No",
                                       ItemGroupRef=[ODM.ItemGroupRef(
                                           ItemGroupOID=f"IG.{key}", Mandatory="No")]))
        columns = list(model.__table__.columns)
        mdv.ItemGroupDef.append(ODM.ItemGroupDef(
            OID=f"IG.{key}", Name=name, Repeating="Yes",
            ItemRef=[ODM.ItemRef(ItemOID=f"IT.{key}.{c.key}", Mandatory="No") for c in columns]))
        mdv.ItemDef.extend(ODM.ItemDef(OID=f"IT.{key}.{c.key}", Name=c.key,
                                       DataType=_data_type(c)) for c in columns)
    return mdv


def _row_audit(row: dict, parent: dict | None, copy, site_oid: str) -> ODM.AuditRecord | None:
    """Who recorded a row, when and why; answers and scores take their report's."""
    source = parent or row
    when = source.get("recorded_at") or source.get("created_at")
    if when is None:
        return None
    staff_id = source.get("recorded_by_staff_id") or source.get("created_by_staff_id")
    user = (_user_oid("staff", staff_id) if staff_id is not None
            else _user_oid("participant", copy.participant["id"]))
    audit = ODM.AuditRecord(UserRef=ODM.UserRef(UserOID=user),
                            LocationRef=ODM.LocationRef(LocationOID=site_oid),
                            DateTimeStamp=ODM.DateTimeStamp(_content=when))
    reason = next((row[name] for name in _REASONS if row.get(name)), None)
    if reason:
        audit.ReasonForChange = ODM.ReasonForChange(_content=reason)
    return audit


def _item_groups(copy, site_oid: str) -> list[ODM.FormData]:
    reports = {report["id"]: report for report in copy.symptom_reports}
    answers = {answer["id"]: answer for answer in _answers(copy)}
    forms = []
    for key, _name, model, rows in KINDS:
        groups = []
        for row in rows(copy):
            parent = (reports.get(row.get("report_id")) if key == "SA" else
                      reports.get(answers[row["answer_id"]]["report_id"]) if key == "SS"
                      else None)
            group = ODM.ItemGroupData(
                ItemGroupOID=f"IG.{key}", ItemGroupRepeatKey=str(row["id"]),
                TransactionType="Update" if row.get("version", 1) > 1 else "Insert",
                ItemData=[ODM.ItemData(ItemOID=f"IT.{key}.{column.key}",
                                       Value=_value(row[column.key]))
                          for column in model.__table__.columns
                          if row.get(column.key) is not None])
            audit = _row_audit(row, parent, copy, site_oid)
            if audit is not None:
                group.AuditRecord = audit
            groups.append(group)
        if groups:
            forms.append(ODM.FormData(FormOID=f"F.{key}", ItemGroupData=groups))
    return forms


def _trail(copy, site_oid: str) -> ODM.AuditRecords:
    return ODM.AuditRecords(AuditRecord=[ODM.AuditRecord(
        ID=f"AR.{event.id}", EditPoint="DBAudit",
        UserRef=ODM.UserRef(UserOID=_user_oid(event.actor_type, event.actor_id)),
        LocationRef=ODM.LocationRef(LocationOID=site_oid),
        DateTimeStamp=ODM.DateTimeStamp(_content=_instant(event.occurred_at)),
        ReasonForChange=ODM.ReasonForChange(
            _content=f"{event.action}: {event.reason}" if event.reason else event.action),
        SourceID=ODM.SourceID(_content=f"audit_event {event.id}; {event.chain} seq "
                                       f"{event.seq}; sha256 {event.hash}"),
    ) for event in copy.audit_trail])


def _signatures(copy, site_oid: str) -> list[ODM.Signature]:
    return [ODM.Signature(
        ID=f"SIG.{listed.sign_off.id}",
        UserRef=ODM.UserRef(UserOID=_user_oid("staff", listed.sign_off.staff_user_id)),
        LocationRef=ODM.LocationRef(LocationOID=site_oid),
        SignatureRef=ODM.SignatureRef(SignatureOID=f"SD.{_slug(listed.sign_off.meaning)}"),
        DateTimeStamp=ODM.DateTimeStamp(_content=_instant(listed.sign_off.signed_at)),
    ) for listed in copy.sign_offs]


def _admin(copy, study_oid: str, site_oid: str) -> ODM.AdminData:
    users = [ODM.User(OID="USR.SYSTEM", UserType="Other",
                      DisplayName=ODM.DisplayName(_content="the diary service")),
             ODM.User(OID=_user_oid("participant", copy.participant["id"]), UserType="Other",
                      DisplayName=ODM.DisplayName(_content=copy.participant["study_code"]))]
    for staff in sorted(copy.staff.values(), key=lambda s: s.id):
        user = ODM.User(OID=_user_oid("staff", staff.id),
                        UserType="Investigator" if staff.role == "investigator" else "Other",
                        DisplayName=ODM.DisplayName(_content=f"staff {staff.id} ({staff.role})"))
        if staff.display_name:
            user.FullName = ODM.FullName(_content=staff.display_name)
        users.append(user)
    meanings = sorted({listed.sign_off.meaning for listed in copy.sign_offs})
    return ODM.AdminData(StudyOID=study_oid, User=users, Location=[ODM.Location(
        OID=site_oid, Name=copy.site.name, LocationType="Site",
        MetaDataVersionRef=[ODM.MetaDataVersionRef(
            StudyOID=study_oid, MetaDataVersionOID=MDV,
            EffectiveDate=copy.participant["enrolled_on"])])],
        SignatureDef=[ODM.SignatureDef(
            OID=f"SD.{_slug(meaning)}", Methodology="Electronic",
            Meaning=ODM.Meaning(_content=meaning),
            LegalReason=ODM.LegalReason(
                _content="Electronic signature under 21 CFR Part 11, password entered again"))
            for meaning in meanings])


def build_odm(copy) -> ODM.ODM:
    """Return the copy (``diary.operations.certified_copy.CertifiedCopy``) as an ODM tree."""
    study_oid, site_oid = f"ST.{copy.study.code}", f"LOC.{copy.site.code}"
    subject = ODM.SubjectData(
        SubjectKey=copy.participant["study_code"], SiteRef=ODM.SiteRef(LocationOID=site_oid),
        StudyEventData=[ODM.StudyEventData(StudyEventOID=EVENT,
                                           FormData=_item_groups(copy, site_oid))])
    signatures = _signatures(copy, site_oid)
    clinical = ODM.ClinicalData(StudyOID=study_oid, MetaDataVersionOID=MDV,
                                SubjectData=[subject],
                                AuditRecords=[_trail(copy, site_oid)])
    if signatures:
        clinical.Signatures = [ODM.Signatures(Signature=signatures)]
    study = ODM.Study(OID=study_oid, GlobalVariables=ODM.GlobalVariables(
        StudyName=ODM.StudyName(_content=copy.study.code),
        StudyDescription=ODM.StudyDescription(_content=copy.study.title),
        ProtocolName=ODM.ProtocolName(_content=copy.study.code)),
        MetaDataVersion=[_metadata()])
    return ODM.ODM(FileOID=f"DIARY.{study_oid}.{copy.participant['id']}."
                           f"{copy.generated_at:%Y%m%dT%H%M%S%f}",
                   FileType="Snapshot", Granularity="SingleSubject", Archival="Yes",
                   CreationDateTime=_instant(copy.generated_at), ODMVersion="1.3.2",
                   Originator="diary", SourceSystem="diary", Study=[study],
                   AdminData=[_admin(copy, study_oid, site_oid)], ClinicalData=[clinical])


def odm_xml(copy) -> str:
    """Return the copy as ODM 1.3.2 XML, its OIDs checked by odmlib."""
    document = build_odm(copy)
    document.verify_oids(create_oid_checker("odm_1_3_2"))
    return document.to_xml_string(xml_declaration=True)
