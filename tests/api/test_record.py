"""The certified copy: GET /api/v1/participants/{id}/record, as JSON and as CDISC ODM 1.3.2."""

import xml.etree.ElementTree as ET

import pytest
from odmlib.loader import ODMLoader
from odmlib.odm_loader import XMLODMLoader
from odmlib.odm_parser import ODMSchemaValidator
from sqlalchemy import select

from diary.extensions import db
from diary.models import AuditEvent
from tests.api.dose_helpers import NOON_IN_SEOUL
from tests.api.record_helpers import world_with_a_record
from tests.factories import PASSWORD, auth, make_site, make_staff, token_for, totp_code

FROZEN_AT = NOON_IN_SEOUL
pytestmark = pytest.mark.usefixtures("clock")
ODM_NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3"}


@pytest.fixture
def world(client, site):
    world = world_with_a_record(client, site)
    assert client.post(f"/api/v1/participants/{world.participant.id}/sign-offs", json={
        "password": PASSWORD, "second_factor_code": totp_code(),
        "meaning": "reviewed and approved"},
        headers=world.signer).status_code == 201
    return world


def url(world) -> str:
    return f"/api/v1/participants/{world.participant.id}/record"


def test_the_copy_holds_every_version_the_sign_offs_and_the_audit_trail(client, world):
    response = client.get(url(world), headers=world.signer)
    assert response.status_code == 200
    copy = response.get_json()
    assert copy["participant"]["study_code"] == world.participant.study_code
    assert not any(key.startswith("phone") for key in copy["participant"])
    assert "+821055550123" not in response.get_data(as_text=True)
    assert [(d["version"], d["dose_mg"], d["is_current"]) for d in copy["doses"]] == [
        (1, 400, False), (2, 300, True)]
    assert copy["doses"][1]["correction_reason"] == "Took 300, not 400"
    (event,) = copy["adverse_events"]
    assert [v["version"] for v in event["versions"]] == [1]
    assert copy["symptom_reports"][0]["answers"][0]["item_key"] == "nausea"
    assert [p["dose_mg"] for p in copy["regimen"]["prescribed_doses"]] == [400]
    (signed,) = copy["sign_offs"]
    assert signed["current"] is True and signed["data_sha256"] == copy["data_sha256"]
    assert copy["audit_trail_intact"] is True
    trail = copy["audit_trail"]
    assert [e["seq"] for e in trail] == list(range(1, len(trail) + 1))
    assert {"dose.recorded", "dose.corrected", "participant.signed_off"} <= {
        e["action"] for e in trail}


def test_every_copy_made_is_in_the_audit_trail(client, world):
    client.get(url(world), headers=world.signer)
    client.get(url(world), headers=world.signer, query_string={"format": "odm"})
    exports = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "participant.record_exported").order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.after["format"]) for e in exports] == [
        (world.investigator.id, "json"), (world.investigator.id, "odm")]


def test_another_sites_staff_get_404(client, world):
    stranger = auth(token_for(make_staff("investigator", sites=[make_site("REC")])))
    assert client.get(url(world), headers=stranger).status_code == 404
    assert client.get(url(world), headers=stranger,
                      query_string={"format": "odm"}).status_code == 404


def _parse(xml: str) -> ET.Element:
    return ET.fromstring(xml.encode())  # noqa: S314 - our own document, in a test


def _odm(client, world, **kwargs):
    response = client.get(url(world), **kwargs)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    return response.get_data(as_text=True)


def test_the_odm_copy_is_valid_odm_1_3_2_by_odmlibs_schema(client, world):
    xml = _odm(client, world, headers=world.signer, query_string={"format": "odm"})
    assert ODMSchemaValidator(standard="odm", version="1.3.2").validate_tree(_parse(xml))
    loader = ODMLoader(XMLODMLoader(model_package="odm_1_3_2", ns_uri=ODM_NS["odm"]))
    loader.load_odm_string(xml.split("?>", 1)[1].strip())
    odm = loader.root()
    assert (odm.FileType, odm.Granularity, odm.ODMVersion) == ("Snapshot", "SingleSubject",
                                                               "1.3.2")
    assert "+821055550123" not in xml


def test_the_odm_copy_says_who_changed_each_item_when_and_why(client, world):
    xml = _odm(client, world, headers={**world.signer, "Accept": "application/xml"})
    root = _parse(xml)
    doses = root.findall(".//odm:ItemGroupData[@ItemGroupOID='IG.DOSE']", ODM_NS)
    assert [g.get("TransactionType") for g in doses] == ["Insert", "Update"]
    correction = doses[1].find("odm:AuditRecord", ODM_NS)
    assert correction.find("odm:ReasonForChange", ODM_NS).text == "Took 300, not 400"
    assert correction.find("odm:DateTimeStamp", ODM_NS).text.startswith("2026-03-05T03:00")
    who = correction.find("odm:UserRef", ODM_NS).get("UserOID")
    assert who == f"USR.PARTICIPANT.{world.participant.id}"
    trail = root.findall(".//odm:ClinicalData/odm:AuditRecords/odm:AuditRecord", ODM_NS)
    assert len(trail) >= 5
    assert all("sha256" in r.find("odm:SourceID", ODM_NS).text for r in trail)
    signature = root.find(".//odm:ClinicalData/odm:Signatures/odm:Signature", ODM_NS)
    signer = signature.find("odm:UserRef", ODM_NS).get("UserOID")
    user = root.find(f".//odm:AdminData/odm:User[@OID='{signer}']", ODM_NS)
    assert user.find("odm:FullName", ODM_NS).text == "Dr. Lee Seo-yeon"
    assert root.find(".//odm:SignatureDef/odm:Meaning", ODM_NS).text == "reviewed and approved"


def test_a_json_client_gets_json(client, world):
    response = client.get(url(world), headers={**world.signer, "Accept": "application/json"})
    assert response.mimetype == "application/json"
    response = client.get(url(world), headers={**world.signer, "Accept": "*/*"})
    assert response.mimetype == "application/json"
