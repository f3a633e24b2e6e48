"""Demo sizes and people: territories, staff, suppliers and customers, planned as pure rows."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from qudao.parties.models import CustomerType, PartyStatus, Tier
from qudao.tenancy.roles import Role

DEMO_PASSWORD: Final = "qudao-demo-2026"
DEFAULT_SEED: Final = 20261129
BATCH: Final = 2000
TODAY: Final = date(2026, 11, 1)  # the demo's "today": birthdays, recent launches


@dataclass(frozen=True)
class Size:
    customers: int
    reps: int
    contacts_per_customer: int
    products: int
    buyers: int  # customers with three months of orders, invoices and payments


SIZES: Final[dict[str, Size]] = {
    "small": Size(customers=400, reps=6, contacts_per_customer=1, products=120, buyers=18),
    "medium": Size(customers=5_000, reps=25, contacts_per_customer=2, products=600, buyers=60),
    "large": Size(customers=50_000, reps=120, contacts_per_customer=2, products=3_000, buyers=120),
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
    ("S001", "华岚电器股份有限公司", "华岚电器", "91440606MA4U1A2B3C"),
    ("S002", "美厨厨房电器有限公司", "美厨电器", "91330100MA2B3C4D5E"),
    ("S003", "净源水家电科技有限公司", "净源净水", "91320500MA1C2D3E4F"),
    ("S004", "洁芳日化集团有限公司", "洁芳日化", "91440100MA5D6E7F8G"),
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


def district_names() -> list[str]:
    """The district territories' names, in the order `_territories` creates them."""
    return [
        f"{city[:-1]}{district}"
        for cities in REGIONS.values()
        for city, names in cities.items()
        for district in names
    ]


def rep_rows(rng: random.Random, spec: Size) -> list[tuple[str, str, str]]:
    """(username, name, phone) of the sales reps; the first is the named demo login."""
    rows = []
    for index in range(spec.reps):
        username = "demo-rep" if index == 0 else f"demo-rep{index + 1:03d}"
        name = _person(rng) if index else "周业务"
        rows.append((username, name, _phone(rng)))
    return rows


def supplier_rows(rng: random.Random) -> list[dict[str, object]]:
    """Party fields of the suppliers."""
    return [
        {
            "code": code,
            "name": name,
            "short_name": short,
            "tax_id": tax_id,
            "phone": _phone(rng),
            "invoice_title": name,
            "address": _street_address(rng, rng.choice(FACTORY_CITIES)),
        }
        for code, name, short, tax_id in SUPPLIERS
    ]


@dataclass(frozen=True)
class CustomerBatch:
    """Party fields of up to BATCH customers (numbered from `start + 1`) and their contacts."""

    start: int
    customers: list[dict[str, object]]
    contacts: list[list[dict[str, object]]]


def customer_batches(
    rng: random.Random, spec: Size, districts: Sequence[str], today: date = TODAY
) -> Iterator[CustomerBatch]:
    """The customers, batch by batch; each has `number`, its district and rep by index."""
    for start in range(0, spec.customers, BATCH):
        count = min(BATCH, spec.customers - start)
        customers: list[dict[str, object]] = []
        for number in range(start + 1, start + count + 1):
            district = districts[number % len(districts)]
            word, customer_type = rng.choices(
                STORE_WORDS, weights=(20, 18, 10, 10, 6, 8, 8, 3, 2, 8)
            )[0]
            owner_name = _person(rng)
            name = (
                f"{rng.choice(PREFIXES)}{word}（{district[-3:]}{number}店）"
                if customer_type == CustomerType.CHAIN_STORE
                else f"{district[-3:]}{owner_name[0]}记{word}"
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
                {
                    "number": number,
                    "customer_type": customer_type,
                    "code": f"C{number:06d}",
                    "name": name[:200],
                    "short_name": name[:20],
                    "tier": rng.choices([Tier.A, Tier.B, Tier.C, Tier.D], weights=(10, 25, 45, 20))[
                        0
                    ],
                    "status": status,
                    "phone": _phone(rng),
                    "address": f"{district}{rng.choice(STREETS)}{rng.randrange(1, 500)}号",
                    "tax_id": f"92{rng.randrange(10**15):015d}X" if rng.random() < 0.6 else "",
                }
            )
        contacts: list[list[dict[str, object]]] = []
        for _customer in customers:
            mine = []
            for index in range(spec.contacts_per_customer):
                birthday = today - timedelta(days=rng.randrange(25 * 365, 60 * 365))
                mine.append(
                    {
                        "name": _person(rng),
                        "title": TITLES[0] if index == 0 else rng.choice(TITLES[1:]),
                        "phone": _phone(rng),
                        "wechat_id": f"wx_{rng.randrange(10**8):08d}",
                        "birthday": birthday if rng.random() < 0.7 else None,
                        "is_primary": index == 0,
                    }
                )
            contacts.append(mine)
        yield CustomerBatch(start, customers, contacts)


def branch_customer_rows(rng: random.Random) -> list[dict[str, object]]:
    """Party fields of the Hefei branch's 30 supermarkets."""
    return [
        {"code": f"HF{n:04d}", "name": f"合肥{_person(rng)[0]}记超市{n}号店", "phone": _phone(rng)}
        for n in range(1, 31)
    ]
