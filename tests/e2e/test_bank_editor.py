"""The PDO administrator writes an item in Russian and watches the live preview follow the typing."""

from __future__ import annotations

import pytest

PASSWORD = "demo-pass-2026"


def login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.e2e
def test_pdo_writes_an_item_with_a_live_preview_and_finds_it_in_the_list(page, server):  # type: ignore[no-untyped-def]
    login(page, server, "pdo")
    page.wait_for_url("**/pdo/campaigns*")
    page.goto(server + "/bank/items/new?lang=ru")
    assert page.locator("html").get_attribute("lang") == "ru"

    page.fill("#f-external-id", "E2E-RU-0001")
    page.select_option("#f-topic", index=1)
    page.check('input[name="preview_lang"][value="ru"]')
    preview_stem = page.locator("#preview-stem")
    preview_options = page.locator("#preview-options label")

    stem = "Сколько минут длится тестирование?"
    page.locator("#f-stem-ru").press_sequentially(stem[:12])
    assert preview_stem.inner_text() == stem[:12]  # follows each keystroke
    page.locator("#f-stem-ru").press_sequentially(stem[12:])
    assert preview_stem.inner_text() == stem

    answers = ["60 минут", "120 минут", "90 минут", "180 минут"]
    ru_options = page.locator('input[name="options_ru"]')
    for i, text in enumerate(answers):
        ru_options.nth(i).fill(text)
    assert preview_options.count() == 4
    assert preview_options.nth(1).inner_text() == "2. 120 минут"
    assert page.locator('#preview-options input[type="radio"]').count() == 4  # single choice

    # a fifth option appears in the preview, and goes again when removed
    page.click("#add-option")
    page.locator('input[name="options_ru"]').nth(4).fill("240 минут")
    assert preview_options.count() == 5 and preview_options.nth(4).inner_text() == "5. 240 минут"
    page.locator("#option-rows tr").nth(4).locator(".remove-option").click()
    assert preview_options.count() == 4

    # multiple choice shows checkboxes; the key can be shown
    page.select_option("#f-type", "multiple_choice")
    assert page.locator('#preview-options input[type="checkbox"]').count() == 4
    page.select_option("#f-type", "single_choice")
    page.locator('input[name="key"]').nth(1).check()
    page.check("#preview-key")
    assert "is-key" in (preview_options.nth(1).get_attribute("class") or "")

    # switching the preview to Kazakh shows that the Kazakh text is still empty
    page.check('input[name="preview_lang"][value="kk"]')
    assert preview_stem.inner_text() != stem
    page.check('input[name="preview_lang"][value="ru"]')
    assert preview_stem.inner_text() == stem

    page.fill("#f-expl-ru", "Пункт 18 Правил.")
    page.click('#item-form button[type="submit"]')
    page.wait_for_url("**/bank/items/E2E-RU-0001")
    assert "E2E-RU-0001" in page.locator("h1").inner_text()
    assert page.locator("#f-stem-ru").input_value() == stem

    page.goto(server + "/bank/items?q=e2e-ru")
    row = page.locator("tbody tr", has_text="E2E-RU-0001")
    assert row.count() == 1
    assert stem in row.inner_text()
