"""``diary staff add|set --name``: the printed name under a staff member's signatures."""

from sqlalchemy import select

from diary.extensions import db
from diary.models import StaffUser


def test_the_name_is_set_on_adding_and_changed_with_a_reason(app, site):
    runner = app.test_cli_runner()
    added = runner.invoke(args=["staff", "add", "--email", "lee@example.org", "--role",
                                "investigator", "--site", "SEV", "--name", "Lee Seo-yeon"])
    assert added.exit_code == 0, added.output
    staff = db.session.scalars(select(StaffUser).where(
        StaffUser.email == "lee@example.org")).one()
    assert staff.display_name == "Lee Seo-yeon"
    changed = runner.invoke(args=["staff", "set", "lee@example.org", "--reason", "Married name",
                                  "--name", "Lee Seo-yeon Park"])
    assert changed.exit_code == 0, changed.output
    db.session.refresh(staff)
    assert staff.display_name == "Lee Seo-yeon Park"
