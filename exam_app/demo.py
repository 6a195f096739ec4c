"""Demo data: one region with an LMC and two career centres, ~30 workers in every situation
the rules distinguish, one open campaign, and one user of each role.

Dates are relative to today so that the demo shows the same situations whenever it is loaded.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from attestation import campaigns as campaign_service
from attestation.calendar import add_months
from attestation.iin import make_iin
from attestation.models import Campaign, CareerCentre, Leave, Lmc, Region, Worker
from attestation.web import db_session
from exam_app.accounts.models import User
from exam_app.accounts.services import create_user, grant_role

DEMO_PASSWORD = "demo-pass-2026"

# surname, name, patronymic, sex, position, centre (0 = LMC, 1/2 = career centre), months in position,
# extra attributes
WORKERS: tuple[tuple[str, str, str | None, str, str, int, int, dict[str, object]], ...] = (
    ("Сейітов", "Ерлан", "Болатұлы", "male", "director", 0, 60, {"last_attested_months_ago": 34}),
    ("Омарова", "Гүлнар", "Сәкенқызы", "female", "deputy_director", 0, 40, {"last_attested_months_ago": 30}),
    ("Ким", "Виктор", "Андреевич", "male", "unit_head", 0, 28, {"last_attested_months_ago": 26}),
    ("Жақсылықова", "Айгерім", None, "female", "unit_head", 0, 50, {"last_attested_months_ago": 36}),
    ("Ахметов", "Нұрлан", "Серікұлы", "male", "lmc_specialist", 0, 30, {"last_attested_months_ago": 35}),
    ("Петрова", "Анна", "Сергеевна", "female", "lmc_specialist", 0, 9, {"first_hire": True}),
    ("Байжанов", "Дәурен", None, "male", "lmc_specialist", 0, 3, {"first_hire": True}),
    ("Тұрсынова", "Мәдина", "Асқарқызы", "female", "lmc_specialist", 0, 26, {"pregnant": True}),
    ("Исаева", "Сәуле", "Маратқызы", "female", "lmc_specialist", 0, 48, {"leave": ("childcare", -300, None)}),
    (
        "Нұрланова",
        "Жанар",
        None,
        "female",
        "lmc_specialist",
        0,
        60,
        {"leave": ("maternity", -540, -150), "last_attested_months_ago": 40},
    ),
    (
        "Ли",
        "Дмитрий",
        "Олегович",
        "male",
        "lmc_specialist",
        0,
        33,
        {"leave": ("study", -5, 20), "last_attested_months_ago": 35},
    ),
    (
        "Сарсенбаев",
        "Арман",
        None,
        "male",
        "lmc_specialist",
        0,
        36,
        {"last_attested_months_ago": 5, "failed_last": "compliance"},
    ),
    (
        "Мұхамедиева",
        "Ләззат",
        "Ержанқызы",
        "female",
        "cc_specialist",
        1,
        11,
        {"first_hire": True, "category": "none"},
    ),
    (
        "Қасымов",
        "Бауыржан",
        None,
        "male",
        "cc_specialist",
        1,
        40,
        {"category": "none", "last_attested_months_ago": 30, "profile": True},
    ),
    (
        "Волкова",
        "Елена",
        "Игоревна",
        "female",
        "cc_specialist",
        1,
        50,
        {"category": "career_consultant", "last_attested_months_ago": 33, "profile": True},
    ),
    (
        "Әбдірахманов",
        "Ерболат",
        "Қайратұлы",
        "male",
        "cc_specialist",
        1,
        70,
        {"category": "case_manager", "last_attested_months_ago": 35},
    ),
    (
        "Серікова",
        "Динара",
        None,
        "female",
        "cc_specialist",
        1,
        90,
        {"category": "mentor", "last_attested_months_ago": 34},
    ),
    (
        "Жұмабеков",
        "Талғат",
        None,
        "male",
        "cc_specialist",
        1,
        25,
        {"category": "career_consultant", "last_attested_months_ago": 24, "hours_short": True},
    ),
    (
        "Орлова",
        "Мария",
        "Викторовна",
        "female",
        "cc_specialist",
        1,
        30,
        {"category": "none", "leave": ("business_trip_abroad", -3, 25), "last_attested_months_ago": 29},
    ),
    (
        "Тоқтаров",
        "Самат",
        None,
        "male",
        "cc_specialist",
        2,
        45,
        {"category": "career_consultant", "leave": ("incapacity", -10, 30), "last_attested_months_ago": 33},
    ),
    (
        "Бекова",
        "Алия",
        "Нұрбекқызы",
        "female",
        "cc_specialist",
        2,
        8,
        {"first_hire": True, "category": "none"},
    ),
    (
        "Иванов",
        "Сергей",
        "Петрович",
        "male",
        "cc_specialist",
        2,
        55,
        {"category": "case_manager", "last_attested_months_ago": 7, "failed_last": "category"},
    ),
    (
        "Оспанова",
        "Ақбота",
        None,
        "female",
        "cc_specialist",
        2,
        38,
        {"category": "career_consultant", "last_attested_months_ago": 32, "profile": True},
    ),
    ("Мамыров", "Ғалым", "Ерланұлы", "male", "cc_assistant", 1, 20, {"last_attested_months_ago": 19}),
    ("Шәкірова", "Томирис", None, "female", "cc_assistant", 1, 7, {"first_hire": True}),
    ("Семенов", "Павел", "Юрьевич", "male", "cc_assistant", 2, 14, {"first_hire": True, "overdue": True}),
    ("Әлиева", "Камила", None, "female", "cc_assistant", 2, 34, {"last_attested_months_ago": 33}),
    ("Рахимов", "Ілияс", "Талғатұлы", "male", "cc_assistant", 2, 27, {"last_attested_months_ago": 26}),
    ("Ермекова", "Сания", None, "female", "lmc_specialist", 0, 44, {"last_attested_months_ago": 36}),
    ("Көшербаев", "Асан", None, "male", "cc_specialist", 2, 5, {"first_hire": True, "category": "none"}),
)

STAFF = (
    ("sysadmin", "admin", "Жүйе әкімшісі / Системный администратор", {}),
    ("pdo_admin", "pdo", "Біліктілікті арттыру ұйымы / Организация повышения квалификации", {}),
    ("lmc_hr", "hr", "ЕМО кадр қызметі / Кадровая служба ЦТМ", {"lmc": True}),
    ("proctor", "proctor", "Проктор", {}),
    ("proctor", "proctor2", "Проктор 2", {}),
    ("commission_member", "commission", "Апелляциялық комиссия / Апелляционная комиссия", {}),
    (
        "regional_officer",
        "officer",
        "Жергілікті атқарушы орган / Местный исполнительный орган",
        {"region": True},
    ),
    ("ministry_viewer", "ministry", "Министрлік / Министерство", {}),
)


def load_demo(today: date | None = None, *, sources: str | None = None, echo=print) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Create the demo data unless it is there; return (role, login) pairs to print."""
    today = today or date.today()
    session = db_session
    existing = session.scalar(select(User).where(User.username == "admin"))
    if existing is None:
        _create(session, today)
        session.commit()
        if sources:
            echo(load_bank(session, sources))
    logins = [(role, username) for role, username, _, _ in STAFF]
    first_candidate = session.scalar(select(User).where(User.worker_id.is_not(None)).order_by(User.id))
    if first_candidate is not None:
        logins.append(("candidate", first_candidate.username))
    return logins


def _create(session, today: date) -> None:  # type: ignore[no-untyped-def]
    region = session.scalar(select(Region).where(Region.code == "karaganda"))
    lmc = Lmc(
        region_id=region.id,
        name_kk="Қарағанды облысының Еңбек мобильділігі орталығы",
        name_ru="Центр трудовой мобильности Карагандинской области",
    )
    session.add(lmc)
    session.flush()
    centres = [
        CareerCentre(
            lmc_id=lmc.id,
            name_kk="Теміртау қаласының мансап орталығы",
            name_ru="Карьерный центр города Темиртау",
        ),
        CareerCentre(
            lmc_id=lmc.id,
            name_kk="Бұқар жырау ауданының мансап орталығы",
            name_ru="Карьерный центр района Бухар жырау",
        ),
    ]
    session.add_all(centres)
    # A second LMC in another region, so that scoping can be seen and tested.
    other_region = session.scalar(select(Region).where(Region.code == "pavlodar"))
    other = Lmc(
        region_id=other_region.id,
        name_kk="Павлодар облысының Еңбек мобильділігі орталығы",
        name_ru="Центр трудовой мобильности Павлодарской области",
    )
    session.add(other)
    session.flush()

    workers = []
    for number, (surname, name, patronymic, sex, position, centre, months, extra) in enumerate(WORKERS):
        birth = date(1975 + number % 20, 1 + number % 12, 1 + number % 27)
        last_months = extra.get("last_attested_months_ago")
        worker = Worker(
            iin=make_iin(birth, sex, 1000 + number),
            birth_date=birth,
            sex=sex,
            surname=surname,
            name=name,
            patronymic=patronymic,
            lmc_id=lmc.id,
            career_centre_id=centres[centre - 1].id if centre else None,
            position=position,
            appointed_on=add_months(today, -months),
            first_hire=bool(extra.get("first_hire")),
            service_months=months + 12 * (number % 5),
            education="Жоғары / Высшее",
            current_category=extra.get("category"),
            pregnant=bool(extra.get("pregnant")),
            training_hours_required=72,
            training_hours_completed=36 if extra.get("hours_short") else 72,
            category_profile_training_done=bool(extra.get("profile")),
            initial_attestation_passed=not extra.get("first_hire"),
        )
        if worker.current_category and worker.current_category != "none":
            worker.category_expires_on = add_months(today, 36 - int(last_months or 0))
        if last_months is not None:
            worker.last_attestation_on = add_months(today, -int(last_months))
            worker.last_attestation_passed = "failed_last" not in extra
            worker.last_procedure = str(extra.get("failed_last") or "compliance")
        if extra.get("overdue"):
            worker.appointed_on = add_months(today, -14)
        leave = extra.get("leave")
        if leave:
            kind, start, end = leave  # type: ignore[misc]
            worker.leaves.append(
                Leave(
                    kind=kind,
                    start=today + timedelta(days=start),
                    end=None if end is None else today + timedelta(days=end),
                )
            )
        session.add(worker)
        workers.append(worker)
    session.flush()

    staff_users = {}
    for role, username, display, scope in STAFF:
        user = create_user(session, username=username, password=DEMO_PASSWORD, display_name=display)
        grant_role(
            session,
            user,
            role,
            lmc_id=lmc.id if scope.get("lmc") else None,
            region_id=region.id if scope.get("region") else None,
        )
        staff_users[username] = user
    hr_other = create_user(
        session, username="hr-pavlodar", password=DEMO_PASSWORD, display_name="ЦТМ Павлодар HR"
    )
    grant_role(session, hr_other, "lmc_hr", lmc_id=other.id)
    grant_role(session, staff_users["pdo"], "commission_member")
    for worker in workers:
        user = create_user(
            session,
            username=worker.iin,
            password=DEMO_PASSWORD,
            display_name=worker.full_name,
            worker_id=worker.id,
        )
        grant_role(session, user, "candidate")

    admin = staff_users["pdo"]
    campaign = campaign_service.create_campaign(
        session,
        title_kk=f"{today.year} жылғы аттестаттау: {today.strftime('%m')}-кезең",
        title_ru=f"Аттестация {today.year} года: этап {today.strftime('%m')}",
        testing_from=today,
        testing_to=today + timedelta(days=14),
        lists_due=today,
        actor_id=admin.id,
        actor_label=admin.username,
    )
    campaign_service.change_campaign_status(
        session, campaign, "open", actor_id=admin.id, actor_label=admin.username
    )
    campaign_service.publish_announcement(
        session,
        campaign,
        actor_id=admin.id,
        actor_label=admin.username,
        text_kk="Еңбек мобильділігі орталықтары мен мансап орталықтары жұмыскерлерін тестілеу Платформада "
        "прокторинг жүйесін пайдалана отырып өткізіледі. Тест 100 сұрақтан тұрады, ұзақтығы 120 минут.",
        text_ru="Тестирование работников центров трудовой мобильности и карьерных центров проводится на "
        "Платформе с использованием системы прокторинга. Тест состоит из 100 вопросов, "
        "продолжительность 120 минут.",
    )
    hr = staff_users["hr"]
    for worker in workers:
        try:
            campaign_service.add_to_list(
                session, campaign, worker, today=today, actor_id=hr.id, actor_label=hr.username
            )
        except campaign_service.DomainError:
            continue  # the demo shows ineligible workers off the list, with their reasons
    session.flush()


def load_bank(session, sources: str) -> str:  # type: ignore[no-untyped-def]
    """Load the source texts and the reviewed bank content, active, so that candidates can sit the test.

    Returns a line for the console: what was loaded, or why the bank stays inactive.
    """
    from pathlib import Path

    from attestation.db import DomainError
    from question_bank.blueprints import ensure_default_blueprints
    from question_bank.citations import load_sources
    from question_bank.importer import import_path
    from question_bank.workflow import Actor

    content = Path(__file__).resolve().parent.parent / "question_bank" / "content"
    try:
        load_sources(session, sources, actor_label="demo")
    except DomainError as exc:
        session.rollback()
        return f"question bank not loaded: {exc.message}"
    ensure_default_blueprints(session, actor_label="demo")
    report = import_path(session, content, actor=Actor(None, "demo"), activate=True)
    if report.ok:
        session.commit()
        return f"question bank: {len(report.activated)} items active"
    session.rollback()
    report = import_path(session, content, actor=Actor(None, "demo"))
    session.commit()
    first = report.errors[0].as_json() if report.errors else {}
    return f"question bank loaded as drafts (not yet reviewed: {first.get('message', '')})"


def demo_campaign(session) -> Campaign | None:  # type: ignore[no-untyped-def]
    return session.scalar(select(Campaign).order_by(Campaign.id))
