"""A person logs in as each demo role, switches language, and sees what that role should see."""

from __future__ import annotations

import pytest

PASSWORD = "demo-pass-2026"

# login, the landing page path, a text only that role's page shows (in English)
ROLES = [
    ("admin", "/admin/users", "Grant a role", "/admin/users/1"),
    ("pdo", "/pdo/campaigns", "Attestation campaigns", None),
    ("hr", "/hr/workers", "Import from a file", None),
    ("officer", "/region", "Workers on lists of attestees", None),
    ("ministry", "/ministry", "Regions overview", None),
    ("proctor", "/proctor/", "Review queue", None),
    ("commission", "/commission", "Appeal commission", None),
]


def login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def set_language(page, code: str) -> None:  # type: ignore[no-untyped-def]
    page.click(f".lang a[lang={code}]")
    page.wait_for_load_state()


@pytest.mark.e2e
@pytest.mark.parametrize("username,landing,marker,extra", ROLES)
def test_staff_role_logs_in_and_switches_language(page, server, username, landing, marker, extra):  # type: ignore[no-untyped-def]
    login(page, server, username)
    page.wait_for_url(f"**{landing}*")
    set_language(page, "en")
    if extra:
        page.goto(server + extra)
    assert marker in page.content()
    set_language(page, "ru")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert "Выйти" in page.content()
    set_language(page, "kk")
    assert "Шығу" in page.content()
    # a page of another role is refused
    page.goto(server + ("/cabinet/" if username != "admin" else "/hr/workers"))
    assert "403" in page.content()
    page.click(".logout button")
    page.wait_for_url("**/login*")


@pytest.mark.e2e
def test_candidate_sees_status_and_deadline_in_three_languages(page, server):  # type: ignore[no-untyped-def]
    login(page, server, "hr")
    page.wait_for_url("**/hr/workers*")
    set_language(page, "en")
    row = page.locator("tr", has_text="Ахметов")
    iin = row.locator("td").nth(1).inner_text().strip()
    page.click(".logout button")
    login(page, server, iin)
    page.wait_for_url("**/cabinet/*")
    set_language(page, "en")
    text = page.content()
    assert "Ахметов Нұрлан" in text and "Confirmation of compliance" in text and "Admitted" in text
    set_language(page, "kk")
    assert "Жеке кабинет" in page.content() or "кабинет" in page.content().lower()
    set_language(page, "ru")
    assert "Личный кабинет" in page.content()
    page.goto(server + "/hr/workers")
    assert "403" in page.content()


@pytest.mark.e2e
def test_hr_adds_a_worker_and_sees_the_iin_error_in_russian(page, server):  # type: ignore[no-untyped-def]
    login(page, server, "hr")
    page.wait_for_url("**/hr/workers*")
    set_language(page, "ru")
    page.goto(server + "/hr/workers/new")
    page.fill("#f-iin", "880517400426")
    page.fill("#f-surname", "Проверкина")
    page.fill("#f-name", "Ольга")
    page.select_option("#f-position", "lmc_specialist")
    page.fill("#f-appointed_on", "2020-03-01")
    page.click("form.grid-form button[type=submit]")
    assert "контрольная цифра не совпадает" in page.content()
    assert page.input_value("#f-surname") == "Проверкина"
    page.fill("#f-iin", "880517400425")
    page.click("form.grid-form button[type=submit]")
    page.wait_for_url("**/hr/workers/*")
    assert "Изменения сохранены" in page.content() or "Работник добавлен" in page.content()
