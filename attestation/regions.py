"""The 20 regions of Kazakhstan that have a local executive body for employment (§31-32).

17 oblasts (as of the 2022 reform, with Abai, Jetisu and Ulytau) and the three cities of
republican significance. Seeded by a migration so every database has them.
"""

from __future__ import annotations

# code, kind, Kazakh, Russian, English
REGIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("abai", "oblast", "Абай облысы", "Область Абай", "Abai Region"),
    ("akmola", "oblast", "Ақмола облысы", "Акмолинская область", "Akmola Region"),
    ("aktobe", "oblast", "Ақтөбе облысы", "Актюбинская область", "Aktobe Region"),
    ("almaty_region", "oblast", "Алматы облысы", "Алматинская область", "Almaty Region"),
    ("atyrau", "oblast", "Атырау облысы", "Атырауская область", "Atyrau Region"),
    (
        "west_kazakhstan",
        "oblast",
        "Батыс Қазақстан облысы",
        "Западно-Казахстанская область",
        "West Kazakhstan Region",
    ),
    ("zhambyl", "oblast", "Жамбыл облысы", "Жамбылская область", "Zhambyl Region"),
    ("zhetysu", "oblast", "Жетісу облысы", "Область Жетісу", "Zhetysu Region"),
    ("karaganda", "oblast", "Қарағанды облысы", "Карагандинская область", "Karaganda Region"),
    ("kostanay", "oblast", "Қостанай облысы", "Костанайская область", "Kostanay Region"),
    ("kyzylorda", "oblast", "Қызылорда облысы", "Кызылординская область", "Kyzylorda Region"),
    ("mangystau", "oblast", "Маңғыстау облысы", "Мангистауская область", "Mangystau Region"),
    ("pavlodar", "oblast", "Павлодар облысы", "Павлодарская область", "Pavlodar Region"),
    (
        "north_kazakhstan",
        "oblast",
        "Солтүстік Қазақстан облысы",
        "Северо-Казахстанская область",
        "North Kazakhstan Region",
    ),
    ("turkistan", "oblast", "Түркістан облысы", "Туркестанская область", "Turkistan Region"),
    ("ulytau", "oblast", "Ұлытау облысы", "Область Ұлытау", "Ulytau Region"),
    (
        "east_kazakhstan",
        "oblast",
        "Шығыс Қазақстан облысы",
        "Восточно-Казахстанская область",
        "East Kazakhstan Region",
    ),
    ("astana", "city", "Астана қаласы", "город Астана", "Astana"),
    ("almaty", "city", "Алматы қаласы", "город Алматы", "Almaty"),
    ("shymkent", "city", "Шымкент қаласы", "город Шымкент", "Shymkent"),
)
