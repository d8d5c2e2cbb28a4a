"""Text messages participants send to the study number: replies, STOP, START, HELP.

Keywords come from the study file (``[sms.keywords]``). Replies are outbox rows sent
after the commit, never TwiML. The text itself is kept only on the inbound row: no alert
or reply ever quotes it.
"""

import logging
import unicodedata
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from diary.actor import Actor
from diary.clock import local_today, utcnow
from diary.errors import DomainError
from diary.extensions import db
from diary.messaging.outbox import enqueue
from diary.messaging.templates import render
from diary.models import DoseEntry, InboundMessage, Message, Participant, Study
from diary.operations.alerts import raise_alert
from diary.operations.doses import write_dose
from diary.operations.regimen import prescribed_mg_for
from diary.operations.sms_consent import opt_in_to_sms, opt_out_of_sms
from diary.phone_keys import phone_lookup
from diary.rules.doses import DoseInput

log = logging.getLogger(__name__)

INTENTS = ("taken", "missed", "stop", "start", "help")
UNKNOWN = "unknown"
# Twilio's default opt-in words lift its carrier-level block on the number whatever our
# keywords say ("YES" is also a dose reply here), so we must follow it.
TWILIO_OPT_IN_WORDS = ("START", "YES", "UNSTOP")
CORRECTION_REASON = "Changed by SMS reply"
# Automatic replies to one number in a day, when the study file does not say.
DEFAULT_MAX_REPLIES = 5


@dataclass(frozen=True)
class InboundResult:
    """What became of an inbound text."""

    inbound_id: int | None
    intent: str
    duplicate: bool = False


def normalise(text: str) -> str:
    """Fold a text for keyword matching: width, case, all spaces and edge punctuation go."""
    folded = "".join(unicodedata.normalize("NFKC", text or "").casefold().split())
    start, end = 0, len(folded)
    while start < end and _is_decoration(folded[start]):
        start += 1
    while end > start and _is_decoration(folded[end - 1]):
        end -= 1
    return folded[start:end]


def _is_decoration(char: str) -> bool:
    # Punctuation and symbols ("Taken!", "1.", a thumbs-up) carry no meaning here.
    return unicodedata.category(char)[0] in {"P", "S"}


def match_intent(text: str, keywords: dict[str, list[str]]) -> str:
    """Return the intent a text's keyword names (taken, missed, stop, start, help) or unknown."""
    word = normalise(text)
    if not word:
        return UNKNOWN
    for intent in INTENTS:
        if word in {normalise(keyword) for keyword in keywords.get(intent, [])}:
            return intent
    return UNKNOWN


def lifts_twilio_block(text: str) -> bool:
    """Return whether Twilio treats the text as an opt-in after a STOP."""
    return normalise(text) in {normalise(word) for word in TWILIO_OPT_IN_WORDS}


def canonical_number(raw: str) -> str:
    """Return the sender as E.164 when it is a phone number, else the raw value (cut short)."""
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        return raw[:20]
    if not phonenumbers.is_possible_number(number):
        return raw[:20]
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def handle_inbound_sms(message_sid: str, from_number: str, body: str) -> InboundResult:
    """Store an inbound text once per MessageSid and act on it; commit."""
    existing = db.session.execute(
        select(InboundMessage).where(InboundMessage.message_sid == message_sid)
    ).scalar_one_or_none()
    if existing is not None:
        return InboundResult(existing.id, existing.intent, duplicate=True)
    sender = canonical_number(from_number)
    senders = _participants_with_number(sender)
    if not senders:
        # An unknown number learns nothing; the row keeps a retry from being new.
        return _store_only(message_sid, sender, None, body, UNKNOWN)
    study = db.session.get(Study, senders[0].study_id)
    intent = match_intent(body, study.definition["sms"]["keywords"])
    inbound = _store(message_sid, sender, senders[0].id, body, intent)
    if inbound is None:
        return InboundResult(None, intent, duplicate=True)
    if lifts_twilio_block(body) and intent != "start":
        for participant in senders:
            opt_in_to_sms(participant, Actor.for_participant(participant))
    if intent in ("stop", "start"):
        return _opt(intent, senders, inbound)
    primary = _sole_active(senders)
    if primary is None:
        return _not_understood(senders[0], study, inbound, reason="shared_number")
    if intent in ("taken", "missed"):
        return _record_reply(primary, study, inbound, intent)
    if intent == "help":
        _reply(primary, study, inbound, "help")
        db.session.commit()
        return InboundResult(inbound.id, intent)
    return _not_understood(primary, study, inbound, reason="not_understood")


def _participants_with_number(sender: str) -> list[Participant]:
    return list(db.session.execute(
        select(Participant)
        .where(Participant.phone_lookup == phone_lookup(sender))
        .order_by(case((Participant.status == "active", 0), else_=1), Participant.id)
    ).scalars())


def _sole_active(senders: list[Participant]) -> Participant | None:
    # A parent reporting for two children from one phone: "1" cannot say whose dose.
    active = [participant for participant in senders if participant.status == "active"]
    if len(active) == 1:
        return active[0]
    return senders[0] if len(senders) == 1 else None


def _store(message_sid, sender, participant_id, body, intent) -> InboundMessage | None:
    inbound = InboundMessage(message_sid=message_sid, from_e164=sender,
                             participant_id=participant_id, body=body or "", intent=intent,
                             received_at=utcnow())
    try:
        # Twilio may deliver a retry while the first attempt is still running.
        with db.session.begin_nested():
            db.session.add(inbound)
    except IntegrityError:
        return None
    return inbound


def _store_only(message_sid, sender, participant_id, body, intent) -> InboundResult:
    inbound = _store(message_sid, sender, participant_id, body, intent)
    db.session.commit()
    return InboundResult(inbound.id if inbound else None, intent, duplicate=inbound is None)


def _reply(participant: Participant, study: Study, inbound: InboundMessage, name: str) -> None:
    """Queue an automatic reply, unless the day's replies to this number are used up.

    "Not understood" goes once a participant's local day (its dedupe key names the day),
    and every number gets at most the study's ``max_replies_per_day``: a phone with an
    auto-responder, or a confused parent, cannot start an endless exchange.
    """
    if not participant.can_receive_sms:
        return
    today = local_today(participant.timezone)
    if name == "not_understood":
        key = f"not_understood:{participant.id}:{today.isoformat()}"
    else:
        key = f"reply:{inbound.message_sid}"
    cap = int(study.definition["sms"].get("max_replies_per_day", DEFAULT_MAX_REPLIES))
    if _replied(key) or _replies_on(inbound.from_e164, today) >= cap:
        log.info("sms reply withheld participant_id=%s inbound_id=%s reply=%s",
                 participant.id, inbound.id, name)
        return
    try:
        # Two texts at once may both find no reply yet: the key lets one through.
        with db.session.begin_nested():
            enqueue(kind="system", participant_id=participant.id, local_date=today,
                    body=render(study, participant.locale, name), dedupe_key=key)
    except IntegrityError:
        pass


def _replied(key: str) -> bool:
    return db.session.execute(
        select(Message.id).where(Message.dedupe_key == key)
    ).first() is not None


def _replies_on(number: str, day) -> int:
    """Count the automatic replies queued today to everyone using ``number``."""
    return db.session.execute(
        select(func.count(Message.id)).where(
            Message.kind == "system",
            Message.local_date == day,
            Message.participant_id.in_(
                select(Participant.id).where(Participant.phone_lookup == phone_lookup(number))),
        )
    ).scalar_one()


def _not_understood(participant, study, inbound, *, reason: str) -> InboundResult:
    _reply(participant, study, inbound, "not_understood")
    alert = raise_alert("sms_not_understood", participant,
                        details={"inbound_message_id": inbound.id,
                                 "inbound_message_ids": [inbound.id], "reason": reason})
    ids = alert.details.get("inbound_message_ids", [])
    if inbound.id not in ids:
        # One open alert per participant lists every text it covers, by id only.
        alert.details = {**alert.details, "inbound_message_id": inbound.id,
                         "inbound_message_ids": [*ids, inbound.id], "reason": reason}
    db.session.commit()
    return InboundResult(inbound.id, inbound.intent)


def _opt(intent: str, senders: list[Participant], inbound: InboundMessage) -> InboundResult:
    # The opt-out is Twilio's block on the number, so it holds for everyone using it.
    for participant in senders:
        actor = Actor.for_participant(participant)
        if intent == "stop":
            opt_out_of_sms(participant, actor, cause="sms_stop",
                           details={"inbound_message_id": inbound.id})
        else:
            opt_in_to_sms(participant, actor)
            _reply(participant, db.session.get(Study, participant.study_id), inbound,
                   "opted_in")
    db.session.commit()
    return InboundResult(inbound.id, intent)


def _record_reply(participant, study, inbound, intent: str) -> InboundResult:
    today = local_today(participant.timezone)
    actor = Actor.for_participant(participant, study)
    for attempt in (1, 2):
        current = _current_entry(participant.id, today)
        if current is not None and current.status == intent:
            break
        dose = _dose_input(participant, today, intent, inbound,
                           CORRECTION_REASON if current is not None else None)
        try:
            # In a savepoint, so a refusal leaves the inbound row to be committed.
            with db.session.begin_nested():
                write_dose(participant, study, dose, actor=actor, source="sms")
            break
        except IntegrityError:
            # An app write for the same day landed first: look at the day again.
            if attempt == 2:
                return _not_understood(participant, study, inbound, reason="not_recorded")
        except DomainError:
            return _not_understood(participant, study, inbound, reason="not_recorded")
    _reply(participant, study, inbound, "recorded")
    db.session.commit()
    return InboundResult(inbound.id, intent)


def _current_entry(participant_id: int, day) -> DoseEntry | None:
    return db.session.execute(
        select(DoseEntry).where(DoseEntry.participant_id == participant_id,
                                DoseEntry.dose_date == day, DoseEntry.is_current.is_(True))
    ).scalar_one_or_none()


def _dose_input(participant, day, intent: str, inbound: InboundMessage,
                correction_reason: str | None) -> DoseInput:
    taken = intent == "taken"
    # A text says whether, not why: a missed dose's reason stays unknown, not "other".
    return DoseInput(
        client_id=f"sms:{inbound.message_sid}",
        dose_date=day,
        status=intent,
        dose_mg=prescribed_mg_for(participant, day) if taken else None,
        taken_at=inbound.received_at if taken else None,
        correction_reason=correction_reason,
    )
