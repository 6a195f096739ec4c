from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from attestation.iin import IinInfo, InvalidIin, check_digit, is_valid_iin, make_iin, parse_iin

# 9,0,0,5,1,7,3,0,0,0,1 x weights 1..11 = 9+20+5+42+21+11 = 108 = 9 (mod 11): check digit 9.
VALID_MALE_1990 = "900517300019"


def test_hand_computed_iin():
    assert check_digit(VALID_MALE_1990[:11]) == 9
    assert parse_iin(VALID_MALE_1990) == IinInfo(birth_date=date(1990, 5, 17), sex="male", serial="0001")
    assert is_valid_iin(VALID_MALE_1990)


@pytest.mark.parametrize(
    ("iin", "birth", "sex"),
    [
        ("851203400425", date(1985, 12, 3), "female"),
        ("010101500013", date(2001, 1, 1), "male"),
        (make_iin(date(2004, 2, 29), "female", 7), date(2004, 2, 29), "female"),
        (make_iin(date(1899, 12, 31), "male", 0), date(1899, 12, 31), "male"),
        (make_iin(date(1870, 6, 1), "female", 9999), date(1870, 6, 1), "female"),
    ],
)
def test_century_and_sex_digit(iin, birth, sex):
    info = parse_iin(iin)
    assert (info.birth_date, info.sex) == (birth, sex)


def test_second_pass_weights_when_first_pass_gives_ten():
    # First pass over 90051730180 gives 10; weights 3..11,1,2 give 1.
    assert check_digit("90051730180") == 1
    assert is_valid_iin("900517301801")
    assert not is_valid_iin("900517301800")


def test_both_passes_ten_is_never_valid_and_make_iin_skips_it():
    head = "90051730260"
    assert check_digit(head) is None
    assert not any(is_valid_iin(f"{head}{d}") for d in range(10))
    built = make_iin(date(1990, 5, 17), "male", 260)
    assert built[:11] != head and int(built[7:11]) > 260 and is_valid_iin(built)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("90051730001", "not_12_digits"),
        ("9005173000199", "not_12_digits"),
        (" 900517300019", "not_12_digits"),
        ("900517300019 ", "not_12_digits"),
        ("9005-7300019", "not_12_digits"),
        ("90051730001a", "not_12_digits"),
        ("９００５１７３０００１９", "not_12_digits"),  # full-width digits pass str.isdigit()
        ("", "not_12_digits"),
        (None, "not_12_digits"),
        (900517300019, "not_12_digits"),
        ("900517000019", "bad_century_digit"),
        ("900517700019", "bad_century_digit"),
        ("900517900019", "bad_century_digit"),
        ("901317300019", "bad_birth_date"),
        ("900532300019", "bad_birth_date"),
        ("900500300019", "bad_birth_date"),
        ("000229300019", "bad_birth_date"),  # 1900 was not a leap year
        ("900517300018", "bad_check_digit"),
    ],
)
def test_each_failure_code(value, code):
    with pytest.raises(InvalidIin) as caught:
        parse_iin(value)
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError)
    assert str(caught.value)
    assert is_valid_iin(value) is False


def test_leap_day_of_2000_is_a_real_date():
    assert parse_iin(make_iin(date(2000, 2, 29), "male", 1)).birth_date == date(2000, 2, 29)


@pytest.mark.parametrize(
    ("birth", "sex", "serial"),
    [
        (date(1799, 12, 31), "male", 1),
        (date(2100, 1, 1), "female", 1),
        (date(1990, 1, 1), "other", 1),
        (date(1990, 1, 1), "male", -1),
        (date(1990, 1, 1), "male", 10000),
    ],
)
def test_make_iin_refuses_impossible_input(birth, sex, serial):
    with pytest.raises(ValueError):
        make_iin(birth, sex, serial)


def test_the_eleventh_digit_escapes_the_first_pass_check():
    # Weight 11 is 0 mod 11: this is why the parse carries the serial.
    twins = [VALID_MALE_1990[:10] + str(d) + VALID_MALE_1990[11] for d in range(10)]
    assert all(is_valid_iin(twin) for twin in twins)
    assert len({parse_iin(twin).serial for twin in twins}) == 10


births = st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31))
sexes = st.sampled_from(["male", "female"])


@given(births, sexes, st.integers(min_value=0, max_value=9000))
def test_make_iin_round_trips(birth, sex, serial):
    iin = make_iin(birth, sex, serial)
    info = parse_iin(iin)
    assert (info.birth_date, info.sex) == (birth, sex)
    assert int(info.serial) >= serial


@given(births, sexes, st.integers(min_value=0, max_value=9000), st.integers(0, 11), st.integers(1, 9))
def test_any_single_digit_change_is_invalid_or_changes_the_parse(birth, sex, serial, position, delta):
    iin = make_iin(birth, sex, serial)
    digit = (int(iin[position]) + delta) % 10
    changed = iin[:position] + str(digit) + iin[position + 1 :]
    assert not is_valid_iin(changed) or parse_iin(changed) != parse_iin(iin)


def _first_pass(eleven: str) -> int:
    return sum(w * int(c) for w, c in zip(range(1, 12), eleven, strict=True)) % 11


@given(births, sexes, st.integers(min_value=0, max_value=9000), st.integers(0, 9), st.integers(1, 9))
def test_first_pass_catches_a_changed_digit_of_weight_one_to_ten(birth, sex, serial, position, delta):
    iin = make_iin(birth, sex, serial)
    changed = iin[:position] + str((int(iin[position]) + delta) % 10) + iin[position + 1 :]
    assume(_first_pass(iin[:11]) != 10 and _first_pass(changed[:11]) != 10)
    assert not is_valid_iin(changed)
