"""The parties' fast row check gives the same rows and problems as `check`, row for row."""

from __future__ import annotations

import datetime

import pytest

from qudao.imports.specs import SPECS, Report
from qudao.imports.specs.base import Checker
from qudao.parties.models import Party, PartyKind, Territory

KEYS = ["code", "name", "customer_type", "tier", "status", "territory", "owner", "phone", "notes"]


def _rows(rep_name: str, boss_name: str) -> list[tuple[object, ...]]:
    return [
        ("C1", "甲商贸", "零售商", "A", "正常", "HZ", rep_name, "138", "备注"),
        ("C2", "乙商贸", "", "", "", "", "", "", ""),
        ("C3", "丙商贸", "Retailer", " b ", "ACTIVE", "HZ", boss_name, "", ""),
        ("C1", "重复", "", "", "", "", "", "", ""),
        ("C9", "已有", "", "", "", "", "", "", ""),
        ("C4", "丁商贸", "外星人", "Z", "没有", "", "", "", ""),
        ("C5", "戊商贸", "", "", "", "XX", "nobody", "", ""),
        ("C6", "己" * 201, "", "", "", "", "", "1" * 31, "x" * 5001),
        (datetime.date(2026, 1, 2), "庚商贸", "", "", "", "", "", "", ""),
        ("", "", "", "", "", "", "", "", ""),
        ("C7", "辛商贸", "", "", "", "", "", datetime.datetime(2026, 1, 2, 3, 4), ""),
        ("C8", "壬商贸", "批发商", "D级", "暂停", "HZ", rep_name, "0571", ""),
    ]


@pytest.mark.parametrize("kind", ["customers", "suppliers"])
@pytest.mark.parametrize("who", ["boss", "rep"])
def test_fast_and_plain_row_checks_agree(org, boss, rep, kind, who):
    # given: a territory, an existing code, and rows of every outcome
    Territory.objects.create(org=org, code="HZ", name="杭州")
    Party.objects.create(org=org, kind=PartyKind.CUSTOMER, code="C9", name="已有")
    Party.objects.create(org=org, kind=PartyKind.SUPPLIER, code="C9", name="已有")
    actor = boss if who == "boss" else rep
    spec = SPECS[kind]
    keys = [key for key in KEYS if key in {column.key for column in spec.columns}]
    rows = [
        tuple(value for key, value in zip(KEYS, row, strict=True) if key in keys)
        for row in _rows(rep.user.username, boss.user.username)
    ]

    def checked(fast: bool) -> tuple[list[object], list[object]]:
        checker = spec.prepare(org=org, actor=actor)
        check = checker.row_check(keys) if fast else Checker.row_check(checker, keys)
        report = Report(keep=100)
        results = [check(number, cells, report) for number, cells in enumerate(rows, start=2)]
        return results, [problem.as_dict() for problem in report.problems]

    # when
    fast_rows, fast_problems = checked(fast=True)
    plain_rows, plain_problems = checked(fast=False)

    # then
    assert fast_rows == plain_rows
    assert fast_problems == plain_problems
    assert fast_rows[0] is not None and fast_rows[1] is not None
    assert fast_problems  # the file has problems, named the same way by both
