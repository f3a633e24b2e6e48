"""Realistic, deterministic demo data for an appliance and FMCG distributor in East China.

`qudao demo --size small|medium|large`: the same seed gives the same data. `large` is the
data set for benchmarks. Each later capability adds its part here.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Final

from django.contrib.auth.hashers import make_password
from django.db import transaction

from qudao.parties.models import (
    Contact,
    CustomerType,
    Party,
    PartyKind,
    PartyStatus,
    Territory,
    Tier,
)
from qudao.tenancy.models import Membership, Organization, User
from qudao.tenancy.roles import Role
from qudao.tenancy.scoping import org_scope

DEMO_PASSWORD: Final = "qudao-demo-2026"
BATCH: Final = 2000


@dataclass(frozen=True)
class Size:
    customers: int
    reps: int
    contacts_per_customer: int


SIZES: Final[dict[str, Size]] = {
    "small": Size(customers=400, reps=6, contacts_per_customer=1),
    "medium": Size(customers=5_000, reps=25, contacts_per_customer=2),
    "large": Size(customers=50_000, reps=120, contacts_per_customer=2),
}

REGIONS: Final = {
    "江苏省": {
        "南京市": ["玄武区", "秦淮区", "鼓楼区", "建邺区", "栖霞区", "江宁区", "浦口区"],
        "苏州市": ["姑苏区", "吴中区", "相城区", "工业园区", "昆山市", "常熟市"],
        "无锡市": ["梁溪区", "滨湖区", "新吴区", "江阴市", "宜兴市"],
        "常州市": ["天宁区", "钟楼区", "新北区", "武进区"],
    },
    "浙江省": {
        "杭州市": ["上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区"],
        "宁波市": ["海曙区", "江北区", "鄞州区", "慈溪市"],
        "嘉兴市": ["南湖区", "秀洲区", "海宁市", "桐乡市"],
    },
    "安徽省": {
        "合肥市": ["蜀山区", "包河区", "庐阳区", "瑶海区", "肥西县"],
        "芜湖市": ["镜湖区", "鸠江区", "弋江区"],
    },
}

SUPPLIERS: Final = [
    ("S001", "华凌电器股份有限公司", "华凌电器", "91440606MA4U1A2B3C"),
    ("S002", "美厨厨房电器有限公司", "美厨电器", "91330100MA2B3C4D5E"),
    ("S003", "净源水家电科技有限公司", "净源净水", "91320500MA1C2D3E4F"),
    ("S004", "洁丽雅日化集团有限公司", "洁丽雅日化", "91440100MA5D6E7F8G"),
    ("S005", "金禾粮油食品有限公司", "金禾粮油", "91370200MA3E4F5G6H"),
    ("S006", "清泉饮品有限公司", "清泉饮品", "91330200MA4F5G6H7J"),
    ("S007", "暖阳小家电有限公司", "暖阳小家电", "91440300MA6G7H8J9K"),
    ("S008", "蓝海洗涤用品有限公司", "蓝海洗涤", "91310000MA7H8J9K0L"),
]

SURNAMES: Final = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
    "肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN: Final = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌鹏飞俊辉婷宇浩凯"
STORE_WORDS: Final = [
    ("便利店", CustomerType.RETAILER),
    ("超市", CustomerType.RETAILER),
    ("家电商行", CustomerType.RETAILER),
    ("日杂店", CustomerType.RETAILER),
    ("电器城", CustomerType.RETAILER),
    ("百货商店", CustomerType.RETAILER),
    ("批发部", CustomerType.WHOLESALER),
    ("商贸有限公司", CustomerType.SUB_DISTRIBUTOR),
    ("连锁超市", CustomerType.CHAIN_STORE),
    ("五金家电店", CustomerType.RETAILER),
]
PREFIXES: Final = [
    "好又多",
    "联华",
    "家家乐",
    "惠民",
    "万家福",
    "金鑫",
    "顺发",
    "永辉",
    "百佳",
    "新世纪",
    "合家欢",
    "利民",
    "兴隆",
    "福满多",
    "旺旺",
    "益佳",
    "同心",
    "鑫源",
]
STREETS: Final = [
    "中山路",
    "人民路",
    "解放路",
    "建设路",
    "和平街",
    "胜利路",
    "新华路",
    "长江路",
    "淮海路",
    "学府路",
    "文化街",
    "青年路",
]
FACTORY_CITIES: Final = ["广东省佛山市", "浙江省杭州市", "江苏省苏州市", "山东省青岛市"]
TITLES: Final = ["老板", "老板娘", "店长", "采购", "财务", "收货员"]

STAFF: Final = [
    ("demo-boss", "王建国", Role.BOSS),
    ("demo-finance", "李会计", Role.FINANCE),
    ("demo-warehouse", "赵仓管", Role.WAREHOUSE),
    ("demo-service", "孙售后", Role.AFTERSALES),
    ("demo-viewer", "钱观察", Role.READONLY),
]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def _street_address(rng: random.Random, place: str) -> str:
    return f"{place}{rng.choice(STREETS)}{rng.randrange(1, 999)}号"


def _batched(items: list[object], size: int = BATCH) -> Iterator[list[object]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@cache
def _demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose


def _user(username: str, name: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": name, "password": _demo_password_hash()}
    )
    return user


def _territories(org: Organization) -> list[Territory]:
    districts: list[Territory] = []
    region = Territory.objects.create(org=org, code="HD", name="华东大区", path="HD", depth=0)
    for p_index, (province, cities) in enumerate(REGIONS.items(), start=1):
        p_code = f"HD{p_index:02d}"
        p = Territory.objects.create(
            org=org, parent=region, code=p_code, name=province, path=f"HD/{p_code}", depth=1
        )
        for c_index, (city, names) in enumerate(cities.items(), start=1):
            c_code = f"{p_code}{c_index:02d}"
            c = Territory.objects.create(
                org=org, parent=p, code=c_code, name=city, path=f"{p.path}/{c_code}", depth=2
            )
            for d_index, district in enumerate(names, start=1):
                d_code = f"{c_code}{d_index:02d}"
                districts.append(
                    Territory.objects.create(
                        org=org,
                        parent=c,
                        code=d_code,
                        name=f"{city[:-1]}{district}",
                        path=f"{c.path}/{d_code}",
                        depth=3,
                    )
                )
    return districts


def build(
    *,
    size: str = "small",
    seed: int = 20261129,
    progress: Callable[[int, str], None] = lambda _n, _label: None,
) -> Organization:
    """Create the demo organizations, users for every role, territories, suppliers, customers."""
    spec = SIZES[size]
    rng = random.Random(seed)
    today = date(2026, 11, 1)
    with transaction.atomic():
        org = Organization.objects.create(name="江南渠道商贸有限公司", code="jiangnan")
        branch = Organization.objects.create(name="江南渠道·合肥分公司", code="jiangnan-hefei")
        with org_scope(org):
            staff = {}
            for username, name, role in STAFF:
                staff[username] = Membership.objects.create(
                    org=org, user=_user(username, name), role=role
                )
            Membership.objects.create(org=branch, user=staff["demo-boss"].user, role=Role.BOSS)
            reps = []
            for index in range(spec.reps):
                username = "demo-rep" if index == 0 else f"demo-rep{index + 1:03d}"
                user = _user(username, _person(rng) if index else "周业务")
                user.phone = _phone(rng)
                user.save(update_fields=["phone"])
                reps.append(Membership.objects.create(org=org, user=user, role=Role.SALES_REP))
            progress(1, "staff")
            districts = _territories(org)
            suppliers = [
                Party(
                    org=org,
                    kind=PartyKind.SUPPLIER,
                    code=code,
                    name=name,
                    short_name=short,
                    tax_id=tax_id,
                    status=PartyStatus.ACTIVE,
                    phone=_phone(rng),
                    invoice_title=name,
                    address=_street_address(rng, rng.choice(FACTORY_CITIES)),
                )
                for code, name, short, tax_id in SUPPLIERS
            ]
            Party.objects.bulk_create(suppliers)
            progress(1, "suppliers")

    for start in range(0, spec.customers, BATCH):
        with transaction.atomic(), org_scope(org):
            count = min(BATCH, spec.customers - start)
            customers = []
            for number in range(start + 1, start + count + 1):
                district = districts[number % len(districts)]
                word, customer_type = rng.choices(
                    STORE_WORDS, weights=(20, 18, 10, 10, 6, 8, 8, 3, 2, 8)
                )[0]
                owner_name = _person(rng)
                name = (
                    f"{rng.choice(PREFIXES)}{word}（{district.name[-3:]}{number}店）"
                    if customer_type == CustomerType.CHAIN_STORE
                    else f"{district.name[-3:]}{owner_name[0]}记{word}"
                    if rng.random() < 0.5
                    else f"{rng.choice(PREFIXES)}{word}（{rng.choice(STREETS)}店{number}）"
                )
                status = rng.choices(
                    [
                        PartyStatus.ACTIVE,
                        PartyStatus.PROSPECT,
                        PartyStatus.SUSPENDED,
                        PartyStatus.CLOSED,
                    ],
                    weights=(82, 10, 5, 3),
                )[0]
                customers.append(
                    Party(
                        org=org,
                        kind=PartyKind.CUSTOMER,
                        customer_type=customer_type,
                        code=f"C{number:06d}",
                        name=name[:200],
                        short_name=name[:20],
                        tier=rng.choices(
                            [Tier.A, Tier.B, Tier.C, Tier.D], weights=(10, 25, 45, 20)
                        )[0],
                        status=status,
                        territory=district,
                        owner=reps[number % len(reps)],
                        phone=_phone(rng),
                        address=f"{district.name}{rng.choice(STREETS)}{rng.randrange(1, 500)}号",
                        tax_id=f"92{rng.randrange(10**15):015d}X" if rng.random() < 0.6 else "",
                    )
                )
            Party.objects.bulk_create(customers)
            contacts = []
            for customer in customers:
                for index in range(spec.contacts_per_customer):
                    birthday = today - timedelta(days=rng.randrange(25 * 365, 60 * 365))
                    contacts.append(
                        Contact(
                            org=org,
                            party=customer,
                            name=_person(rng),
                            title=TITLES[0] if index == 0 else rng.choice(TITLES[1:]),
                            phone=_phone(rng),
                            wechat_id=f"wx_{rng.randrange(10**8):08d}",
                            birthday=birthday if rng.random() < 0.7 else None,
                            is_primary=index == 0,
                        )
                    )
            Contact.objects.bulk_create(contacts)
            progress(count, "customers")

    with transaction.atomic(), org_scope(org):
        supplier = Party.objects.get(kind=PartyKind.SUPPLIER, code="S001")
        Membership.objects.create(
            org=org, user=_user("demo-maker", "华凌·刘经理"), role=Role.MANUFACTURER, party=supplier
        )
        shop = (
            Party.objects.filter(
                kind=PartyKind.CUSTOMER,
                status=PartyStatus.ACTIVE,
                customer_type=CustomerType.RETAILER,
            )
            .order_by("code")
            .first()
        )
        assert shop is not None
        Membership.objects.create(
            org=org,
            user=_user("demo-shop", f"{shop.short_name}·店主"),
            role=Role.RETAILER,
            party=shop,
        )
    with transaction.atomic(), org_scope(branch):
        _territories(branch)
        Party.objects.bulk_create(
            [
                Party(
                    org=branch,
                    kind=PartyKind.CUSTOMER,
                    customer_type=CustomerType.RETAILER,
                    code=f"HF{n:04d}",
                    name=f"合肥{_person(rng)[0]}记超市{n}号店",
                    status=PartyStatus.ACTIVE,
                    tier=Tier.C,
                    phone=_phone(rng),
                )
                for n in range(1, 31)
            ]
        )
    progress(1, "portal users")
    return org


def total_steps(size: str) -> int:
    return SIZES[size].customers + 3
