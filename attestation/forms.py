"""Forms of the attestation pages (CSRF comes with FlaskForm)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class CampaignForm(FlaskForm):
    title_kk = StringField(_("Title in Kazakh"), validators=[DataRequired(), Length(max=300)])
    title_ru = StringField(_("Title in Russian"), validators=[DataRequired(), Length(max=300)])
    lists_due = DateField(_("Lists of attestees due by"), validators=[Optional()])
    testing_from = DateField(_("Testing from"), validators=[DataRequired()])
    testing_to = DateField(_("Testing until"), validators=[DataRequired()])


class AnnouncementForm(FlaskForm):
    text_kk = TextAreaField(_("Announcement in Kazakh"), validators=[DataRequired(), Length(max=5000)])
    text_ru = TextAreaField(_("Announcement in Russian"), validators=[DataRequired(), Length(max=5000)])


class ImportForm(FlaskForm):
    file = FileField(_("XLSX or CSV file"), validators=[FileRequired()])


class LeaveForm(FlaskForm):
    kind = SelectField(_("Kind of leave"), choices=[])
    start = DateField(_("From"), validators=[DataRequired()])
    end = DateField(_("To (empty if it goes on)"), validators=[Optional()])


class RemoveEntryForm(FlaskForm):
    reason = StringField(_("Reason for removal (§10)"), validators=[DataRequired(), Length(max=300)])
