"""The list of attestees (Annex 1) as XLSX and as PDF, in Kazakh or Russian.

Column titles follow the form of Annex 1; the Kazakh ones are the form's own words.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from attestation.models import AttesteeEntry

ANNEX1_TITLE = {
    "kk": "Еңбек мобильділігі орталықтарының және/немесе мансап орталықтарының аттестатталатын "
    "жұмыскерлерінің тізімі",
    "ru": "Список аттестуемых работников центров трудовой мобильности и/или карьерных центров",
}
ANNEX1_COLUMNS = {
    "kk": (
        "№",
        "Т.А.Ә. (бар болса)",
        "Аттестаттау рәсімі",
        "Жұмыс орны",
        "Лауазымы",
        "Халықты әлеуметтік қорғау немесе жұмыспен қамту жүйесіндегі жұмыс өтілі",
        "Қолданыстағы біліктілік санаты (бар болса)",
    ),
    "ru": (
        "№",
        "Ф.И.О. (при его наличии)",
        "Процедура аттестации",
        "Место работы",
        "Должность",
        "Стаж работы в системе социальной защиты или занятости населения",
        "Действующая квалификационная категория (при наличии)",
    ),
}
ANNEX1_CAPTION = {"kk": "Қағидаларға 1-қосымша. Нысан", "ru": "Приложение 1 к Правилам. Форма"}

Label = Callable[[str, str | None], str]


def service_text(months: int, lang: str) -> str:
    years, rest = divmod(months, 12)
    if lang == "kk":
        return f"{years} жыл {rest} ай"
    return f"{years} лет {rest} мес."


def annex1_rows(entries: Sequence[AttesteeEntry], lang: str, label: Label) -> list[tuple[str, ...]]:
    rows = []
    for number, e in enumerate(entries, start=1):
        workplace = e.workplace_kk if lang == "kk" else e.workplace_ru
        category = label("category", e.current_category) if e.current_category else ""
        rows.append(
            (
                str(number),
                e.full_name,
                label("procedure", e.annex1_procedure),
                workplace,
                label("position", e.position),
                service_text(e.service_months, lang),
                category,
            )
        )
    return rows


def annex1_xlsx(entries: Sequence[AttesteeEntry], lang: str, label: Label, subtitle: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Annex 1"
    sheet.append([ANNEX1_CAPTION[lang]])
    sheet.append([ANNEX1_TITLE[lang]])
    sheet.append([subtitle])
    sheet.append(list(ANNEX1_COLUMNS[lang]))
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["B2"].font = Font(bold=True)
    for row in annex1_rows(entries, lang, label):
        sheet.append(list(row))
    for column, width in zip("ABCDEFG", (5, 36, 28, 36, 28, 22, 24), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()
