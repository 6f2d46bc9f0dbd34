"""Synthetic rosters of any size for foresattctl import: valid synthetic identity numbers (Tenor:
month + 80, from tests/fixtures/idnumbers.py), every field quoted when asked (the shape that once
cost memory quadratic in the file), an address with a comma, a doubled quote and a line break.

    write_roster(path, rows=5000, quoted=True)   # rows // 2 pupils, two guardians each
"""
import datetime
import sys

from . import paths

sys.path.insert(0, paths.FIXTURES_DIR)
import idnumbers  # noqa: E402  (valid synthetic identity numbers)

HEADER = ("student_id", "student_fnr", "school", "status", "consent_extended", "guardian_fnr", "guardian_name",
          "guardian_phone", "guardian_email", "daily_care", "parental_responsibility", "addressee", "fnr_use",
          "guardian_address")
ADDRESS = 'Gata {i}, "bak" huset\n0150 OSLO'


def synthetic_numbers(born_from, count):
    """count distinct valid synthetic (Tenor) numbers, born on consecutive days from born_from."""
    out, day = [], born_from
    while len(out) < count:
        for individual in idnumbers.individual_numbers(day.year):
            number = idnumbers.make(day, individual)
            if number:
                out.append(number)
                if len(out) == count:
                    break
        day += datetime.timedelta(days=1)
    return out


def _field(value, quoted):
    return '"' + value.replace('"', '""') + '"' if quoted else value


def write_roster(path, rows, quoted=True):
    """rows guardian rows (rows // 2 pupils with two guardians each); returns the pupils' ids."""
    pupils = rows // 2
    kids = synthetic_numbers(datetime.date(2009, 1, 1), pupils)
    adults = synthetic_numbers(datetime.date(1975, 1, 1), pupils * 2)
    ids = []
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(_field(h, quoted) for h in HEADER) + "\r\n")
        for i in range(pupils):
            ids.append(f"P{i:06d}")
            for g in range(2):
                row = (ids[-1], kids[i], "OSLO-VGS-01", "active", "", adults[2 * i + g], f"GUARDIAN {i} {g}",
                       "+479%07d" % (2 * i + g), f"g{i}x{g}@example.no", "yes", "yes",
                       "main" if g == 0 else "secondary", "accepted", ADDRESS.format(i=i))
                if not quoted:
                    row = row[:-1] + ("",)
                f.write(",".join(_field(v, quoted) for v in row) + "\r\n")
    return ids
