"""/reports: the cohort's adherence, the primary endpoint, safety and alerts, for staff."""

from flask import Blueprint, g, render_template

from diary.errors import NotFound
from diary.operations import report_page
from diary.operations.reports.outcomes import primary_endpoint
from diary.operations.study_info import study_for_staff
from web import sections
from web.session import staff_page
from web.sign_in import LogoutForm

bp = Blueprint("web_reports", __name__, template_folder="templates")


@bp.route("/reports")
@staff_page
def reports():
    """Show the report page for the staff member's sites (an admin's: every site)."""
    actor = g.actor
    try:
        study = study_for_staff(actor)
    except NotFound:
        return render_template("web/no_study.html", staff=actor.staff,
                               logout_form=LogoutForm()), 404
    window = study.primary_window_days
    participants = report_page.cohort_participants(actor, study)
    cohort = report_page.cohort_days(participants, study, window)
    table, serious = report_page.adverse_event_table(participants)
    open_alerts, counts = report_page.alert_panel(actor)
    return render_template(
        "web/reports.html", study=study, staff=actor.staff, window=window,
        logout_form=LogoutForm(), demo=any(person.demo for person in cohort),
        heatmap=sections.heatmap_section(cohort, window),
        adherence=sections.adherence_section(cohort, study.adherence_threshold),
        primary=sections.primary_endpoint_section(primary_endpoint(actor)),
        adverse_events=sections.adverse_event_section(table, serious, len(participants)),
        alerts=sections.alert_section(open_alerts, counts),
    )
