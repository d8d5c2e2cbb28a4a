"""Who did something: a staff user, a participant's device, or the system itself."""

from dataclasses import dataclass

from diary.models import Participant, StaffUser, Study


@dataclass(frozen=True)
class Actor:
    """The author of a change, for authorisation and the audit trail."""

    type: str  # "staff", "participant" or "system"
    id: int | None
    staff: StaffUser | None = None
    participant: Participant | None = None
    study: Study | None = None
    token_id: int | None = None

    @classmethod
    def system(cls) -> "Actor":
        return cls(type="system", id=None)

    @classmethod
    def for_staff(cls, staff: StaffUser) -> "Actor":
        return cls(type="staff", id=staff.id, staff=staff)

    @classmethod
    def for_participant(cls, participant: Participant, study: Study | None = None) -> "Actor":
        return cls(type="participant", id=participant.id, participant=participant, study=study)
