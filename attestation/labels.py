"""Translated labels of fixed codes and of the messages domain services return as codes.

Codes (positions, procedures, categories, statuses, roles, reasons, errors) stay English
snake_case everywhere; only these labels are translated, so the UI, exports and PDFs share one
wording. Domain views use this module; the Flask shell re-exports it to templates as ``L``.
"""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext, lazy_pgettext

_ = lazy_gettext


POSITIONS = {
    "director": _("Director"),
    "deputy_director": _("Deputy director"),
    "unit_head": _("Head of a structural unit"),
    "lmc_specialist": _("LMC specialist"),
    "cc_specialist": _("Career-centre specialist"),
    "cc_assistant": _("Career-centre assistant"),
}
PROCEDURES = {
    "initial": _("Initial attestation"),
    "compliance": _("Confirmation of compliance with the position"),
    "category": _("Application for a qualification category"),
    "reattestation": _("Re-attestation"),
}
CATEGORIES = {
    "none": _("No category"),
    "career_consultant": _("Career consultant"),
    "case_manager": _("Case manager"),
    "mentor": _("Mentor"),
}
ROLES = {
    "candidate": _("Candidate"),
    "lmc_hr": _("LMC HR officer"),
    "pdo_admin": _("Professional-development organisation administrator"),
    "proctor": _("Proctor"),
    "commission_member": _("Appeal commission member"),
    "regional_officer": _("Regional officer"),
    "ministry_viewer": _("Ministry viewer"),
    "sysadmin": _("System administrator"),
}
LEAVE_KINDS = {
    "maternity": _("Maternity leave"),
    "childcare": _("Child-care leave"),
    "adoption": _("Leave for adopting a newborn"),
    "study": _("Study leave"),
    "incapacity": _("Temporary incapacity for work"),
    "business_trip_abroad": _("Business trip abroad"),
    "other": _("Other leave"),
}
CAMPAIGN_STATUSES = {
    "draft": _("Draft"),
    "open": lazy_pgettext("campaign", "Open"),
    "closed": _("Closed"),
}
SEX = {"male": _("male"), "female": _("female")}
REASONS = {
    "less_than_six_months": _("Less than six months in the position (until {until})."),
    "pregnant": _("Pregnancy: not subject to attestation."),
    "on_family_leave": _("On leave: {kind}."),
    "family_leave_return": _(
        "Less than 12 months since returning from leave ({kind}): not subject until {until}."
    ),
    "on_study_leave": _("On study leave."),
    "incapacity": _("Temporary incapacity for work: the LMC corrects the list."),
    "business_trip_abroad": _("On a business trip abroad: the LMC corrects the list."),
    "training_hours_incomplete": _(
        "Professional-development courses not completed: {completed} of "
        "{required} hours of the individual training plan."
    ),
    "category_profile_training_missing": _(
        "Courses on the profile of the category applied for are not completed."
    ),
    "category_not_for_position": _("Only a career-centre specialist can apply for a qualification category."),
    "applied_category_missing": _("The category applied for is not given."),
    "no_higher_category": _("The worker already holds the highest category."),
    "applied_category_not_next": _(
        "Categories are assigned in sequence: after «{current}» comes «{expected}», not «{applied}»."
    ),
    "initial_overdue": _("Initial attestation is overdue: it was due by {deadline}."),
    "reattestation_overdue": _("Re-attestation is overdue: it was due by {deadline}."),
    "compliance_overdue": _("Confirmation of compliance is overdue: it was due by {deadline}."),
    "category_expired": _("The current category expired on {expired_on}."),
}

FIELD_ERRORS = {
    "required": _("This field is required."),
    "iin_invalid": _("This is not a valid IIN: {detail}."),
    "iin_duplicate": _("A worker with this IIN is already registered."),
    "iin_repeated_in_file": _("This IIN is repeated in the file (first in row {row})."),
    "too_long": _("Too long: at most {max} characters."),
    "unknown_code": _("Unknown value: «{value}»."),
    "bad_date": _("Not a date: «{value}». Use DD.MM.YYYY."),
    "date_in_future": _("The date is in the future."),
    "bad_number": _("Not a number: «{value}»."),
    "negative": _("Cannot be negative."),
    "category_only_cc_specialist": _("Only career-centre specialists hold a qualification category."),
    "bad_boolean": _("Expected yes or no, got «{value}»."),
    "unknown_career_centre": _("No such career centre in this LMC: «{value}»."),
}
IIN_DETAILS = {
    "not_12_digits": _("an IIN has exactly 12 digits"),
    "bad_century_digit": _("the 7th digit (century and sex) must be 1 to 6"),
    "bad_birth_date": _("the first six digits are not a real birth date"),
    "bad_check_digit": _("the check digit does not match — check for a typo"),
}
DOMAIN_ERRORS = {
    "window_reversed": _("The testing window ends before it starts."),
    "lists_due_after_testing": _("Lists must be due before testing starts."),
    "title_required": _("The campaign needs a title in Kazakh and in Russian."),
    "bad_transition": _("This status change is not allowed."),
    "announcement_required": _("The announcement needs text in Kazakh and in Russian."),
    "campaign_not_open": _("The campaign is not open."),
    "already_listed": _("The worker is already on this campaign's list."),
    "not_listed": _("This line is not on the list."),
    "reason_required": _("Say why the worker is taken off the list."),
    "not_eligible": _("The worker cannot be listed."),
    "unsupported_file": _("Only .xlsx and .csv files can be imported."),
    "empty_file": _("The file has no rows."),
    "missing_columns": _("Required columns are missing: {columns}."),
    "unreadable_file": _("The file could not be read."),
    "leave_ends_before_start": _("The leave ends before it starts."),
    "leave_not_found": _("This leave does not exist."),
    "unknown_code": _("Unknown value: «{value}»."),
    "username_taken": _("This login is already taken."),
    "password_too_short": _("The password must have at least {min} characters."),
    "unknown_role": _("Unknown role."),
    "role_needs_lmc": _("An LMC HR role must name its LMC."),
    "role_needs_region": _("A regional officer role must name its region."),
    "grant_not_found": _("This role grant does not exist."),
    "cannot_revoke_own_admin": _("You cannot revoke your own administrator role."),
    "photo_empty": _("Choose a photo file."),
    "photo_too_large": _("The photo is larger than 2 MB."),
    "photo_not_image": _("The photo must be a JPEG or PNG image."),
}


def label(table: dict[str, object], code: str | None) -> str:
    if code is None:
        return "—"
    value = table.get(code)
    return str(value) if value is not None else code


_CODE_PARAMS = {
    "kind": LEAVE_KINDS,
    "position": POSITIONS,
    "current": CATEGORIES,
    "applied": CATEGORIES,
    "expected": CATEGORIES,
    "category": CATEGORIES,
    "detail": IIN_DETAILS,
}


def _format(template: object, params: dict[str, object] | None, *, dates: bool = True) -> str:
    values: dict[str, str] = {}
    for key, value in (params or {}).items():
        text = "" if value is None else str(value)
        if key in _CODE_PARAMS:
            text = label(_CODE_PARAMS[key], text)
        elif dates and len(text) == 10 and text[4] == "-" and text[7] == "-":
            text = f"{text[8:10]}.{text[5:7]}.{text[0:4]}"
        values[key] = text
    try:
        return str(template).format(**values)
    except (KeyError, IndexError):
        return str(template)


def reason_text(code: str, params: dict[str, object] | None = None) -> str:
    return _format(REASONS.get(code, code), params)


def field_error_text(code: str, params: dict[str, object] | None = None) -> str:
    return _format(FIELD_ERRORS.get(code, code), params, dates=False)  # show the user's own input as typed


def domain_error_text(error: object) -> str:
    code = getattr(error, "code", "")
    if code in DOMAIN_ERRORS:
        return _format(DOMAIN_ERRORS[code], getattr(error, "params", {}))
    return str(getattr(error, "message", error))


class _Labels:
    """Template helper: ``L.position(code)`` and so on."""

    def position(self, code: str | None) -> str:
        return label(POSITIONS, code)

    def procedure(self, code: str | None) -> str:
        return label(PROCEDURES, code)

    def category(self, code: str | None) -> str:
        return label(CATEGORIES, code)

    def role(self, code: str | None) -> str:
        return label(ROLES, code)

    def leave(self, code: str | None) -> str:
        return label(LEAVE_KINDS, code)

    def campaign_status(self, code: str | None) -> str:
        return label(CAMPAIGN_STATUSES, code)

    def sex(self, code: str | None) -> str:
        return label(SEX, code)

    def reason(self, code: str, params: dict[str, object] | None = None) -> str:
        return reason_text(code, params)

    def field_error(self, code: str, params: dict[str, object] | None = None) -> str:
        return field_error_text(code, params)

    def error(self, error: object) -> str:
        return domain_error_text(error)

    def cabinet_status(self, code: str) -> str:
        return cabinet_status(code)

    def exam_error(self, code: str) -> str:
        return exam_error_text(code)

    def proctoring_error(self, code: str) -> str:
        return label(PROCTORING_ERRORS, code)

    def incident(self, code: str | None) -> str:
        return label(INCIDENT_KINDS, code)

    def incident_status(self, code: str | None) -> str:
        return label(INCIDENT_STATUSES, code)

    def outcome(self, code: str | None) -> str:
        return label(OUTCOMES, code)

    def attempt_status(self, code: str | None) -> str:
        return label(ATTEMPT_STATUSES, code)

    @staticmethod
    def text(message: str) -> str:
        return gettext(message)


labels = _Labels()

CABINET_STATUSES = {
    "removed": _("Taken off the list"),
    "not_admitted": _("Not admitted to testing"),
    "awaiting_testing": _("Listed: waiting for the testing window"),
    "testing_open": _("Admitted: the testing window is open"),
    "testing_closed": _("The testing window has closed"),
}


def cabinet_status(code: str) -> str:
    return label(CABINET_STATUSES, code)


EXAM_ERRORS = {
    "not_on_list": _("You are not on the list of attestees of this campaign."),
    "window_not_open": _("The testing window is not open yet."),
    "window_closed": _("The testing window has closed."),
    "not_admitted": _("You are not admitted to testing."),
    "already_tested": _("You have already taken this test."),
    "already_started": _("The test has already started."),
    "consent_required": _("Consent to proctoring and personal-data processing is required."),
    "language_required": _("Choose the language of the test: Kazakh or Russian."),
    "system_check_failed": _("The system check has not passed: allow the camera and use a current browser."),
    "bad_request": _("The request was malformed."),
    "attempt_closed": _("The test is closed: the answer was not saved."),
    "deadline_passed": _("Time is up: the answer arrived after the deadline and was not saved."),
    "not_in_progress": _("The test is not in progress."),
    "no_such_question": _("There is no such question in your test."),
    "response_out_of_range": _("The answer names an option that does not exist."),
    "extra_time_range": _("Extra time must be 1 to 120 minutes."),
    "reason_required": _("Give the reason."),
    "busy": _("The server is busy: your answers are kept on this computer and will be sent again."),
    "form_unavailable": _(
        "Your test cannot be assembled yet: the question bank lacks questions for your position. "
        "Tell the attestation organiser; nothing has started."
    ),
}


def exam_error_text(code: str) -> str:
    return label(EXAM_ERRORS, code) if code in EXAM_ERRORS else str(_("The answer was not accepted."))


OUTCOMES = {
    "fits_position": _("Fits the position held"),
    "does_not_fit_position": _("Does not fit the position held"),
    "meets_applied_category": _("Meets the qualification category applied for"),
    "meets_current_category": _("Does not meet the category applied for; meets the current category"),
    "meets_lower_category": _("Does not meet the category applied for; meets a category below it"),
}
ATTEMPT_STATUSES = {
    "not_started": _("Not started"),
    "in_progress": _("In progress"),
    "submitted": _("Submitted"),
    "expired": _("Closed when time ran out"),
    "scored": _("Result recorded"),
    "annulled": _("Annulled after a confirmed violation"),
    "final": _("Final"),
}

PROCTORING_ERRORS = {
    "frame_empty": _("The frame is empty."),
    "frame_too_large": _("The frame is larger than 2 MB."),
    "bad_verdict": _("Confirm or dismiss."),
    "already_reviewed": _("This incident has already been reviewed."),
    "comment_required": _("A comment is required."),
    "needs_confirmed_violation": _("An annulment needs a confirmed violation."),
    "reason_required": _("Give the reason."),
    "annulment_exists": _("An annulment has already been requested for this session."),
    "annulment_not_pending": _("This request is not waiting for agreement."),
    "second_proctor_required": _("A second proctor must agree: you requested this annulment."),
    "not_in_progress": _("The test is not in progress."),
    "already_paused": _("The test is already paused."),
    "not_paused": _("The test is not paused."),
    "not_scored": _("Only a recorded result can be annulled."),
}
INCIDENT_KINDS = {
    "no_face": _("No face in view"),
    "multiple_faces": _("More than one person"),
    "looking_away": _("Looking away"),
    "identity_mismatch": _("A different person"),
    "camera_blocked": _("Camera blocked or unreadable (could not tell)"),
    "monitoring_gap": _("Monitoring gap: no frames (could not tell)"),
    "tab_hidden": _("Left the test tab"),
    "window_blur": _("Window lost focus"),
    "fullscreen_exit": _("Left full screen"),
    "copy": _("Copy"),
    "cut": _("Cut"),
    "paste": _("Paste"),
    "context_menu": _("Context menu"),
    "second_screen": _("Second screen"),
    "voice": _("Sustained voice"),
    "camera_stopped": _("Camera stopped"),
}
INCIDENT_STATUSES = {
    "open": lazy_pgettext("incident", "Open"),
    "confirmed": _("Confirmed"),
    "dismissed": _("Dismissed"),
}
