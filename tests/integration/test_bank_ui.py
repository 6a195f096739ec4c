"""The question bank's pages for the PDO administrator, over HTTP, on SQLite and PostgreSQL.

The template database holds the demo data and a synthetic bank of 240 active items (topics
synthetic_legal / synthetic_functional, 120 each, stems "[ru] legal question N", no citation).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from attestation.web import db_session
from exam_app.accounts.services import create_user, grant_role
from question_bank.citations import load_sources
from question_bank.models import ACTIVE, DRAFT, IN_REVIEW, RETIRED, Blueprint, Item

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bank"
PASSWORD = "demo-pass-2026"
QUOTE = "120 (жүз жиырма) минутты құрайды"
SOURCE = "attestation-rules-order-422"


def item_form(external_id: str = "", **overrides) -> dict:  # type: ignore[no-untyped-def]
    """A complete, cited single-choice item in Kazakh and Russian, as the editor posts it."""
    data = {
        "external_id": external_id,
        "topic": "synthetic_legal",
        "positions_mode": "all",
        "type_code": "single_choice",
        "difficulty": "2",
        "key": ["1"],
        "stem_kk": "Тестілеу қанша уақытқа созылады?",
        "stem_ru": "Какова продолжительность тестирования?",
        "options_kk": ["60 минут", "120 минут", "90 минут", "180 минут"],
        "options_ru": ["60 минут", "120 минут", "90 минут", "180 минут"],
        "explanation_kk": "18-тармақ.",
        "explanation_ru": "Пункт 18 Правил.",
        "stem_en": "",
        "options_en": ["", "", "", ""],
        "explanation_en": "",
        "citation_source": SOURCE,
        "citation_clause": "18",
        "citation_quote": QUOTE,
        "note": "",
    }
    data.update(overrides)
    return data


def get_item(app, external_id: str) -> Item:  # type: ignore[no-untyped-def]
    with app.app_context():
        item = db_session.scalar(select(Item).where(Item.external_id == external_id))
        assert item is not None, external_id
        for v in item.versions:
            _ = v.variants, v.reviews
        db_session.expunge_all()
        return item


def load_source(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        load_sources(db_session, FIXTURES / "sources")
        db_session.commit()


def second_reviewer(app, login_as):  # type: ignore[no-untyped-def]
    with app.app_context():
        user = create_user(db_session, username="reviewer2", password=PASSWORD, display_name="Reviewer 2")
        grant_role(db_session, user, "pdo_admin")
        db_session.commit()
    return english(login_as("reviewer2"))


def english(b):  # type: ignore[no-untyped-def]
    """The language is kept in the session: every later page and message is in English."""
    assert b.get("/me?lang=en").status_code == 200
    return b


def create(b, external_id: str, **overrides):  # type: ignore[no-untyped-def]
    response = b.post("/bank/items/new", item_form(external_id, **overrides), token_from="/bank/items/new")
    assert response.status_code == 302, response.text[:2000]
    return response


def found(page: str) -> int:
    match = re.search(r"Found: (\d+)", page)
    assert match, page[:2000]
    return int(match.group(1))


# -- list, filters, search ------------------------------------------------------------------------
def test_list_filters_search_and_pages(login_as):  # type: ignore[no-untyped-def]
    b = english(login_as("pdo"))
    page = b.get("/bank/items?lang=en")
    assert page.status_code == 200
    assert found(page.text) == 240 and "Page 1 of 5" in page.text and "SYN-FUN-0000" in page.text
    assert "SYN-LEG-0049" not in page.text  # the 50 first by id are the functional ones
    page2 = b.get("/bank/items?page=5").text
    assert "Page 5 of 5" in page2 and "SYN-LEG-0119" in page2
    assert found(b.get("/bank/items?section=legal").text) == 120
    assert found(b.get("/bank/items?topic=synthetic_functional").text) == 120
    assert found(b.get("/bank/items?status=active&position=director").text) == 240
    assert found(b.get("/bank/items?status=draft").text) == 0
    # search: the id, a stem, an option; case-insensitive
    assert found(b.get("/bank/items?q=syn-leg-001").text) == 10
    result = b.get("/bank/items?q=LEGAL QUESTION 17").text
    assert found(result) == 1 and "SYN-LEG-0017" in result
    result = b.get("/bank/items?q=option 3 of 42").text
    assert found(result) == 2 and "SYN-LEG-0042" in result and "SYN-FUN-0042" in result
    assert found(b.get("/bank/items?missing=en").text) == 240
    assert found(b.get("/bank/items?missing=kk").text) == 0


def test_search_finds_cyrillic_in_any_case_in_options_and_quote(app, login_as):  # type: ignore[no-untyped-def]
    load_source(app)
    b = english(login_as("pdo"))
    create(b, "TST-RU-0001", stem_kk="", options_kk=["", "", "", ""], explanation_kk="",
           options_ru=["Шестьдесят минут", "Сто двадцать минут", "Девяносто минут", "Сто восемьдесят минут"])
    assert found(b.get("/bank/items?q=ПРОДОЛЖИТЕЛЬНОСТЬ").text) == 1
    assert found(b.get("/bank/items?q=сто ДВАДЦАТЬ").text) == 1  # an option
    assert found(b.get("/bank/items?q=ЖҮЗ жиырма").text) == 1  # the quote
    missing_kk = b.get("/bank/items?missing=kk").text
    assert found(missing_kk) == 1 and "TST-RU-0001" in missing_kk
    assert found(b.get("/bank/items?status=draft").text) == 1


# -- the editor -----------------------------------------------------------------------------------
def test_creating_an_item_makes_a_draft_and_a_refusal_keeps_the_input(app, login_as):  # type: ignore[no-untyped-def]
    load_source(app)
    b = english(login_as("pdo"))
    page = b.get("/bank/items/new?lang=en")
    assert page.status_code == 200 and "Preview: what the candidate sees" in page.text
    assert SOURCE in page.text  # the registered sources are offered
    refused = b.post("/bank/items/new?lang=en", item_form("TST-0001", key=["0", "1"]),
                     token_from="/bank/items/new")
    assert refused.status_code == 422
    assert "single_choice needs exactly one key" in refused.text
    assert "Тестілеу қанша уақытқа созылады?" in refused.text  # what was typed is shown again
    response = create(b, "tst-0001")  # ids are upper-cased
    assert response.headers["Location"].endswith("/bank/items/TST-0001")
    item = get_item(app, "TST-0001")
    assert item.status == DRAFT and [v.status for v in item.versions] == [DRAFT]
    assert item.versions[0].key == [1] and {v.lang for v in item.versions[0].variants} == {"kk", "ru"}
    editor = b.get("/bank/items/TST-0001?lang=en").text
    assert "found in the source text" in editor and "Version history" in editor
    assert "the reviewer who activates a version cannot be its author" in editor  # activation_problems
    assert "TST-0001" in b.get("/bank/items?status=draft").text
    # an empty set of positions is refused, never saved as "applies to nobody"
    refused = b.post("/bank/items/TST-0001?lang=en", item_form(positions_mode="some"),
                     token_from="/bank/items/TST-0001")
    assert refused.status_code == 422 and "choose at least one position" in refused.text


def test_editing_an_active_item_makes_a_new_version(app, login_as):  # type: ignore[no-untyped-def]
    b = english(login_as("pdo"))
    form = item_form(
        topic="synthetic_legal", citation_source="", citation_clause="", citation_quote="", key=["0"],
        stem_kk="[kk] legal question 1 (edited)", stem_ru="[ru] legal question 1 (edited)",
        options_kk=[f"kk option {i} of 1" for i in range(4)], options_ru=[f"ru option {i} of 1" for i in range(4)],
        explanation_kk="synthetic", explanation_ru="synthetic", positions_mode="some", positions=["director"],
    )
    response = b.post("/bank/items/SYN-LEG-0001", form, token_from="/bank/items/SYN-LEG-0001")
    assert response.status_code == 302
    item = get_item(app, "SYN-LEG-0001")
    assert [(v.number, v.status) for v in item.versions] == [(1, ACTIVE), (2, DRAFT)]
    assert item.status == ACTIVE and item.positions == ["director"] and not item.all_positions
    assert item.versions[1].variant("ru").stem == "[ru] legal question 1 (edited)"
    assert item.versions[0].variant("ru").stem == "[ru] legal question 1"  # the served text is untouched
    # saving the same text again writes no version
    assert b.post("/bank/items/SYN-LEG-0001", form, token_from="/bank/items/SYN-LEG-0001").status_code == 302
    assert len(get_item(app, "SYN-LEG-0001").versions) == 2
    page = b.get("/bank/items/SYN-LEG-0001?lang=en").text
    assert "v2" in page and "(edited)" in page


# -- review ---------------------------------------------------------------------------------------
def test_review_approve_reject_and_the_author_cannot_approve(app, login_as):  # type: ignore[no-untyped-def]
    load_source(app)
    author = english(login_as("pdo"))
    create(author, "TST-REV-0001")
    create(author, "TST-REV-0002", stem_ru="Второй вопрос?", stem_kk="Екінші сұрақ?")
    for external_id in ("TST-REV-0001", "TST-REV-0002"):
        version = get_item(app, external_id).versions[0]
        response = author.post(f"/bank/versions/{version.id}/transition", {"to_status": "in_review"},
                               token_from=f"/bank/items/{external_id}")
        assert response.status_code == 302
        assert get_item(app, external_id).status == IN_REVIEW
    queue = author.get("/bank/review?lang=en").text
    assert queue.index("TST-REV-0001</a> v1") < queue.index("TST-REV-0002</a> v1")  # oldest first
    assert "<mark>120 (жүз жиырма) минутты құрайды</mark>" in queue  # the clause in the source text
    assert "found in the source text" in queue and "You are the author of this version" in queue
    assert re.search(r'class="key">120 минут', queue)  # the key is revealed

    first = get_item(app, "TST-REV-0001").versions[0]
    refused = author.post(f"/bank/versions/{first.id}/transition?lang=en",
                          {"to_status": "active", "back": "review"}, token_from="/bank/review")
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/bank/review")
    assert "the reviewer who activates a version cannot be its author" in author.get("/bank/review").text
    assert get_item(app, "TST-REV-0001").status == IN_REVIEW

    reviewer = second_reviewer(app, login_as)
    assert reviewer.post(f"/bank/versions/{first.id}/transition", {"to_status": "active", "back": "review"},
                         token_from="/bank/review").status_code == 302
    approved = get_item(app, "TST-REV-0001")
    assert approved.status == ACTIVE and approved.versions[0].reviews[-1].by_label == "reviewer2"

    second = get_item(app, "TST-REV-0002").versions[0]
    no_reason = reviewer.post(f"/bank/versions/{second.id}/reject?lang=en", {"reason": " ", "back": "review"},
                              token_from="/bank/review")
    assert no_reason.status_code == 302 and get_item(app, "TST-REV-0002").status == IN_REVIEW
    assert "Give the reason for the rejection." in reviewer.get("/bank/review?lang=en").text
    reviewer.post(f"/bank/versions/{second.id}/reject", {"reason": "the stem is ambiguous", "back": "review"},
                  token_from="/bank/review")
    rejected = get_item(app, "TST-REV-0002")
    assert rejected.status == RETIRED
    assert rejected.versions[0].reviews[-1].note == "rejected: the stem is ambiguous"
    assert "rejected: the stem is ambiguous" in author.get("/bank/items/TST-REV-0002").text
    assert "No versions are waiting for review." in reviewer.get("/bank/review?lang=en").text


def test_bulk_action_reports_which_items_moved_and_why_others_did_not(app, login_as):  # type: ignore[no-untyped-def]
    load_source(app)
    b = english(login_as("pdo"))
    create(b, "TST-BLK-0001")
    response = b.post("/bank/items/bulk?lang=en",
                      {"item": ["TST-BLK-0001", "SYN-LEG-0003", "NO-SUCH-ITEM"], "to_status": "in_review"},
                      token_from="/bank/items")
    assert response.status_code == 200
    assert "Done: 1; refused: 2." in response.text
    assert "cannot move a active version to in_review" in response.text
    assert "no such item or version" in response.text
    assert get_item(app, "TST-BLK-0001").status == IN_REVIEW
    assert get_item(app, "SYN-LEG-0003").status == ACTIVE
    retired = b.post("/bank/items/bulk?lang=en", {"item": ["SYN-FUN-0007", "SYN-FUN-0008"], "to_status": "retired",
                                                  "note": "outdated"}, token_from="/bank/items")
    assert "Done: 2; refused: 0." in retired.text
    assert get_item(app, "SYN-FUN-0007").status == RETIRED


# -- specifications -------------------------------------------------------------------------------
def spec_form(code: str, legal: int, functional: int, **extra) -> dict:  # type: ignore[no-untyped-def]
    return {"code": code, "title": "", "procedure": "initial", "positions": ["director", "deputy_director"],
            "count_legal": str(legal), "count_functional": str(functional), "action": "save", **extra}


def test_spec_editor_refuses_what_the_bank_cannot_serve(app, login_as):  # type: ignore[no-untyped-def]
    b = english(login_as("pdo"))
    listing = b.get("/bank/specs?lang=en").text
    assert "initial.managers" in listing and "default (§16)" in listing
    editor = b.get("/bank/specs/edit?code=initial.managers&lang=en")
    assert editor.status_code == 200 and "Coverage matrix" in editor.text and "120 / 100" in editor.text
    refused = b.post("/bank/specs/edit?lang=en", spec_form("test.short", 70, 50), token_from="/bank/specs")
    assert refused.status_code == 422
    assert "the bank cannot serve it" in refused.text and "Short cells" in refused.text
    assert refused.text.count('class="num short"') == 2  # legal × other topics, for each position
    assert "140" in refused.text
    quota = b.post("/bank/specs/edit?lang=en",
                   spec_form("test.quota", 50, 50, quota_functional_synthetic_functional="61"),
                   token_from="/bank/specs")
    assert quota.status_code == 422 and "more than the section&#39;s 50" in quota.text
    with app.app_context():
        assert db_session.scalar(select(Blueprint).where(Blueprint.code.like("test.%"))) is None
    saved = b.post("/bank/specs/edit", spec_form("test.ok", 60, 40, quota_legal_synthetic_legal="60"),
                   token_from="/bank/specs")
    assert saved.status_code == 302
    with app.app_context():
        stored = db_session.scalar(select(Blueprint).where(Blueprint.code == "test.ok"))
        assert stored is not None and stored.legal_count == 60
        assert stored.topic_quotas == {"legal": {"synthetic_legal": 60}}
    assert "test.ok" in b.get("/bank/specs").text


# -- import and export ----------------------------------------------------------------------------
def upload(b, name: str, content: bytes, **fields):  # type: ignore[no-untyped-def]
    data = {"fmt": "auto", "lang": "", "section": "", "topic": "", **fields, "file": (io.BytesIO(content), name)}
    return b.post("/bank/import?lang=en", data, token_from="/bank/import", content_type="multipart/form-data")


def test_import_of_a_broken_file_imports_nothing_and_lists_errors(app, login_as):  # type: ignore[no-untyped-def]
    load_source(app)
    b = english(login_as("pdo"))
    broken = FIXTURES / "broken" / "legal" / "att_rules_broken.yaml"
    response = upload(b, broken.name, broken.read_bytes())
    assert response.status_code == 422
    assert "Nothing was imported" in response.text
    assert "LEG-BRK-0002" in response.text and "single_choice needs exactly one key" in response.text
    assert re.search(r"<td>LEG-BRK-0002</td><td>\d+</td>", response.text)  # item and line
    assert "att_rules_broken.yaml" in response.text
    assert "bank-upload-" not in response.text  # names are the upload's, not the server's folder
    with app.app_context():
        assert db_session.scalar(select(Item).where(Item.external_id.like("LEG-BRK-%"))) is None


def test_import_dry_run_then_real_gift_and_a_zip(app, login_as):  # type: ignore[no-untyped-def]
    b = english(login_as("pdo"))
    gift = (FIXTURES / "gift" / "good.gift").read_bytes()
    dry = upload(b, "good.gift", gift, lang="ru", section="legal", dry_run="y")
    assert dry.status_code == 200 and "dry run: nothing was written" in dry.text
    assert "&#34;imported&#34;: 4" in dry.text or '"imported": 4' in dry.text
    with app.app_context():
        assert db_session.scalar(select(Item).where(Item.external_id.like("LEG-IMP-%"))) is None
    missing_lang = upload(b, "good.gift", gift)
    assert missing_lang.status_code == 422 and "pass --lang" in missing_lang.text
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("bank/legal/good.gift", gift)
        z.writestr("../evil.gift", "::x::y {=a ~b ~c}")
    real = upload(b, "bank.zip", archive.getvalue(), lang="ru", section="legal", fmt="gift")
    assert real.status_code == 200, real.text[:3000]
    assert "4 items were imported." in real.text
    assert found(b.get("/bank/items?status=draft&section=legal").text) == 4


def test_export_downloads_the_bank_as_a_zip_of_yaml(login_as):  # type: ignore[no-untyped-def]
    b = english(login_as("pdo"))
    response = b.get("/bank/export.zip?active_only=1")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert sorted(names) == ["functional/synthetic_functional.yaml", "legal/synthetic_legal.yaml"]


# -- access ---------------------------------------------------------------------------------------
GET_PAGES = ["/bank/", "/bank/items", "/bank/items/new", "/bank/items/SYN-LEG-0000", "/bank/review",
             "/bank/specs", "/bank/specs/edit", "/bank/import", "/bank/export.zip"]
POST_PAGES = ["/bank/items/new", "/bank/items/SYN-LEG-0000", "/bank/items/bulk", "/bank/versions/1/transition",
              "/bank/versions/1/reject", "/bank/specs/edit", "/bank/import", "/bank/citation-check"]


def test_anonymous_users_are_sent_to_login(browser):  # type: ignore[no-untyped-def]
    for path in GET_PAGES:
        response = browser.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    for path in POST_PAGES:
        response = browser.post(path, {}, token_from="/login")
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


@pytest.mark.parametrize("username", ["hr", "admin", "commission", "proctor"])
def test_other_roles_are_refused(login_as, username):  # type: ignore[no-untyped-def]
    b = login_as(username)
    for path in GET_PAGES:
        assert b.get(path).status_code == 403, (username, path)
    for path in POST_PAGES:
        assert b.post(path, {"to_status": "retired", "item": ["SYN-LEG-0000"]}).status_code == 403, (username, path)
    with b.client.application.app_context():
        assert db_session.scalar(select(Item.status).where(Item.external_id == "SYN-LEG-0000")) == ACTIVE


def test_post_without_csrf_is_refused(app, login_as):  # type: ignore[no-untyped-def]
    b = english(login_as("pdo"))
    assert b.client.post("/bank/items/new", data=item_form("TST-CSRF-1")).status_code == 400
    assert b.client.post("/bank/items/bulk", data={"item": ["SYN-LEG-0000"], "to_status": "retired"}).status_code == 400
    assert b.client.post("/bank/citation-check", json={"source": SOURCE, "quote": QUOTE}).status_code == 400
    assert b.client.post("/bank/specs/edit", data=spec_form("test.csrf", 50, 50)).status_code == 400
    with app.app_context():
        assert db_session.scalar(select(Item).where(Item.external_id == "TST-CSRF-1")) is None
        assert db_session.scalar(select(Item.status).where(Item.external_id == "SYN-LEG-0000")) == ACTIVE


def test_citation_check_answers_with_the_csrf_header(app, login_as):  # type: ignore[no-untyped-def]
    load_source(app)
    b = english(login_as("pdo"))
    token = b.token("/bank/items/new")
    ok = b.client.post("/bank/citation-check?lang=en", json={"source": SOURCE, "clause": "18", "quote": QUOTE},
                       headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and ok.json["found"] is True
    bad = b.client.post("/bank/citation-check?lang=en", json={"source": SOURCE, "clause": "18", "quote": "no such words here"},
                        headers={"X-CSRFToken": token})
    assert bad.json["found"] is False and "quote not found" in bad.json["message"]
