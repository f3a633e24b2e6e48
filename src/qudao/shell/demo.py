"""Realistic, deterministic demo data for an appliance and FMCG distributor in East China.

`qudao demo --size small|medium|large`: the same seed gives the same data. `large` is the
data set for benchmarks. Each later capability adds its part here.

Rows are planned by pure functions that draw from a seeded `random.Random` and touch no
database (`rep_rows`, `supplier_rows`, `customer_batches`, `catalog_rows`, `price_rows`);
`build` only turns the plans into rows, set-based. The catalog and the prices draw from their
own generators (seeded from the same seed), so adding them left the people unchanged.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import cache
from typing import Final, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import transaction

from qudao.catalog.models import (
    Brand,
    Category,
    LaunchStatus,
    PackagingUnit,
    PriceKind,
    PriceList,
    PriceListItem,
    Product,
)
from qudao.catalog.validation import ean13_check_digit, pinyin_initials
from qudao.core.money import quantize
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

_T = TypeVar("_T")

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


SIZES: Final[dict[str, Size]] = {
    "small": Size(customers=400, reps=6, contacts_per_customer=1, products=120),
    "medium": Size(customers=5_000, reps=25, contacts_per_customer=2, products=600),
    "large": Size(customers=50_000, reps=120, contacts_per_customer=2, products=3_000),
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


def _batched(items: Sequence[_T], size: int = BATCH) -> Iterator[Sequence[_T]]:
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


# --- catalog data -----------------------------------------------------------------------

# (code, name, supplier code): fictional brands, one to three per supplier.
BRANDS: Final = [
    ("LF", "凌风", "S001"),
    ("BL", "冰岚", "S001"),
    ("LJ", "澜净", "S001"),
    ("MC", "美厨", "S002"),
    ("HS", "禾膳", "S002"),
    ("JY", "净源", "S003"),
    ("QW", "泉屋", "S003"),
    ("FF", "芳菲", "S004"),
    ("HC", "皓齿", "S004"),
    ("RY", "柔云", "S004"),
    ("JH", "金禾", "S005"),
    ("FS", "丰穗", "S005"),
    ("QQ", "清泉", "S006"),
    ("GY", "果语", "S006"),
    ("CY", "茶韵", "S006"),
    ("NY", "暖阳", "S007"),
    ("QC", "巧厨", "S007"),
    ("QS", "轻扫", "S007"),
    ("LH", "蓝海", "S008"),
    ("JL", "洁朗", "S008"),
]

# (code, name, parent code): parents before their children.
CATEGORIES: Final = [
    ("JD", "家电", None),
    ("JD01", "大家电", "JD"),
    ("JD0101", "空调", "JD01"),
    ("JD0102", "冰箱冷柜", "JD01"),
    ("JD0103", "洗衣机", "JD01"),
    ("JD02", "厨房电器", "JD"),
    ("JD0201", "烟机灶具", "JD02"),
    ("JD0202", "电饭煲·压力锅", "JD02"),
    ("JD0203", "厨房小电", "JD02"),
    ("JD03", "生活电器", "JD"),
    ("JD0301", "风扇取暖", "JD03"),
    ("JD0302", "清洁电器", "JD03"),
    ("JD0303", "个护电器", "JD03"),
    ("JD04", "净水设备", "JD"),
    ("JD0401", "净水器", "JD04"),
    ("JD0402", "滤芯耗材", "JD04"),
    ("JD0403", "饮水机·管线机", "JD04"),
    ("RH", "日化", None),
    ("RH01", "洗涤用品", "RH"),
    ("RH0101", "衣物洗护", "RH01"),
    ("RH0102", "家居清洁", "RH01"),
    ("RH02", "个人护理", "RH"),
    ("RH0201", "洗发沐浴", "RH02"),
    ("RH0202", "口腔护理", "RH02"),
    ("RH03", "生活用纸", "RH"),
    ("SP", "食品饮料", None),
    ("SP01", "粮油", "SP"),
    ("SP0101", "大米", "SP01"),
    ("SP0102", "面粉面条", "SP01"),
    ("SP0103", "食用油", "SP01"),
    ("SP02", "饮料", "SP"),
    ("SP0201", "饮用水", "SP02"),
    ("SP0202", "茶饮料", "SP02"),
    ("SP0203", "果汁", "SP02"),
]

NO_PACK: Final = ("", 0)


@dataclass(frozen=True)
class Spec:
    """One size of a product line: its text, purchase cost per base unit (yuan), model part."""

    text: str
    cost: str
    model: str = ""
    unit: str = ""  # overrides the line's base unit
    pack: tuple[str, int] | None = None  # overrides the line's packaging; NO_PACK for none


@dataclass(frozen=True)
class Line:
    """A product line of one brand: its sizes, variants and, for appliances, model numbers."""

    brand: str
    category: str
    kind: str
    unit: str
    specs: tuple[Spec, ...]
    variants: tuple[str, ...] = ("",)
    pack: tuple[str, int] | None = None
    models: str = ""  # "KFR-{m}GW/{s}": m from the spec, s a drawn series; empty for FMCG
    warranty: str = ""
    weight: int = 1

    @property
    def is_appliance(self) -> bool:
        return self.category.startswith("JD") and self.unit == "台"


def _s(
    text: str, cost: str, model: str = "", *, unit: str = "", pack: tuple[str, int] | None = None
) -> Spec:
    return Spec(text, cost, model, unit, pack)


COLORS: Final = ("", "白色", "星空灰", "香槟金")
# fmt: off
LINES: Final = [
    # 大家电: model numbers, serialized, no outer packaging
    Line("LF", "JD0101", "变频挂式空调", "台", (
        _s("1匹 新一级能效", "1650", "26"), _s("1.5匹 新一级能效", "1950", "35"),
        _s("1.5匹 三级能效", "1600", "35"), _s("大1匹 新一级能效", "1750", "26"),
    ), models="KFR-{m}GW/{s}", warranty="AC-6Y", weight=4),
    Line("LF", "JD0101", "立柜式空调", "台", (
        _s("2匹 新一级能效", "3600", "51"), _s("3匹 新一级能效", "4700", "72"),
        _s("3匹 三级能效", "3900", "72"),
    ), models="KFR-{m}LW/{s}", warranty="AC-6Y", weight=2),
    Line("BL", "JD0102", "双门冰箱", "台", (
        _s("218升 风冷无霜", "1150", "218"), _s("185升 直冷", "820", "185"),
    ), COLORS, models="BCD-{m}W{s}", warranty="STD-3Y", weight=2),
    Line("BL", "JD0102", "三门冰箱", "台", (
        _s("253升 风冷无霜", "1500", "253"), _s("280升 一级能效", "1750", "280"),
    ), COLORS, models="BCD-{m}T{s}", warranty="STD-3Y"),
    Line("BL", "JD0102", "十字对开门冰箱", "台", (
        _s("468升 一级能效", "2900", "468"), _s("508升 风冷无霜", "3300", "508"),
    ), COLORS, models="BCD-{m}WS{s}", warranty="STD-3Y", weight=2),
    Line("BL", "JD0102", "卧式冷柜", "台", (
        _s("200升 冷藏冷冻转换", "950", "200"), _s("300升 商用", "1250", "300"),
    ), models="BD/BC-{m}{s}", warranty="STD-3Y"),
    Line("LJ", "JD0103", "滚筒洗衣机", "台", (
        _s("10公斤 洗烘一体", "2100", "100"), _s("10公斤 变频", "1500", "100"),
        _s("8公斤 变频", "1200", "80"),
    ), ("", "白色", "钛晶灰"), models="XQG{m}-{s}", warranty="STD-3Y", weight=2),
    Line("LJ", "JD0103", "波轮洗衣机", "台", (
        _s("8公斤 直驱变频", "850", "80"), _s("10公斤 直驱变频", "1050", "100"),
        _s("6.5公斤 全自动", "560", "65"),
    ), models="XQB{m}-{s}", warranty="STD-3Y", weight=2),
    # 厨房电器
    Line("MC", "JD0201", "侧吸式油烟机", "台", (
        _s("22m³/min 大吸力", "1150", "260"), _s("25m³/min 挥手感应", "1500", "300"),
    ), models="CXW-{m}-{s}", warranty="STD-3Y"),
    Line("MC", "JD0201", "嵌入式燃气灶", "台", (
        _s("双灶 5.0kW", "480", "50"), _s("双灶 4.5kW 熄火保护", "430", "45"),
    ), ("天然气", "液化气"), models="JZ-{m}B{s}", warranty="STD-3Y"),
    Line("MC", "JD0201", "嵌入式消毒柜", "台", (
        _s("100升 二星级", "650", "100"), _s("110升 紫外线+臭氧", "820", "110"),
    ), models="ZTD{m}-{s}", warranty="STD-1Y"),
    Line("HS", "JD0202", "智能电饭煲", "台", (
        _s("3L 球釜内胆", "165", "30"), _s("4L 球釜内胆", "210", "40"),
        _s("5L IH加热", "390", "50"),
    ), pack=("箱", 4), models="HS-FB{m}{s}", warranty="STD-1Y", weight=2),
    Line("HS", "JD0202", "电压力锅", "台", (
        _s("5L 双胆", "260", "50"), _s("6L 双胆", "300", "60"),
    ), pack=("箱", 2), models="HS-YL{m}{s}", warranty="STD-1Y"),
    Line("HS", "JD0203", "微波炉", "台", (
        _s("20L 转盘式", "290", "20"), _s("23L 变频 平板式", "520", "23"),
    ), models="HS-M{m}{s}", warranty="STD-1Y"),
    Line("HS", "JD0203", "空气炸锅", "台", (
        _s("4.5L 可视窗", "190", "45"), _s("6L 双篮", "330", "60"),
    ), pack=("箱", 4), models="HS-KZ{m}{s}", warranty="STD-1Y"),
    # 净水设备
    Line("JY", "JD0401", "反渗透净水器", "台", (
        _s("600G 厨下式 无桶大通量", "1100", "600"), _s("800G 厨下式 鲜活零陈水", "1450", "800"),
        _s("1000G 厨下式 双出水", "1900", "1000"),
    ), models="JY-RO{m}{s}", warranty="STD-1Y", weight=2),
    Line("JY", "JD0401", "前置过滤器", "台", (
        _s("40微米 自动反冲洗", "330", "40"),
    ), models="JY-QZ{m}{s}", warranty="STD-1Y"),
    Line("JY", "JD0402", "替换滤芯", "支", (
        _s("PP棉复合滤芯 适配600G", "65"), _s("RO反渗透滤芯 600G", "260"),
        _s("RO反渗透滤芯 800G", "330"), _s("后置活性炭滤芯", "55"),
    ), pack=("箱", 20)),
    Line("QW", "JD0403", "管线机", "台", (
        _s("壁挂式 即热 6档水温", "260", "6"),
    ), ("白色", "星空灰"), pack=("箱", 2), models="QW-GX{m}{s}", warranty="STD-1Y"),
    Line("QW", "JD0403", "饮水机", "台", (
        _s("立式 冷热型", "280", "12"), _s("台式 温热型", "120", "8"),
    ), models="QW-YS{m}{s}", warranty="STD-1Y"),
    # 生活电器、厨房小电
    Line("NY", "JD0203", "电热水壶", "台", (
        _s("1.7L 304不锈钢", "42", "17"), _s("1.5L 304不锈钢 双层防烫", "55", "15"),
        _s("1.8L 玻璃 恒温", "68", "18"), _s("0.8L 便携 折叠", "58", "08"),
    ), pack=("箱", 6), models="NY-SH{m}{s}", warranty="STD-1Y", weight=2),
    Line("NY", "JD0301", "取暖器", "台", (
        _s("2200W 油汀 13片", "210", "13"), _s("2000W 暖风机 速热", "95", "20"),
        _s("2200W 踢脚线 电暖器", "260", "22"),
    ), models="NY-QN{m}{s}", warranty="STD-1Y"),
    Line("NY", "JD0301", "电风扇", "台", (
        _s("落地扇 16寸 遥控", "120", "40"), _s("台扇 12寸", "65", "30"),
        _s("空气循环扇 直流变频", "190", "25"),
    ), pack=("箱", 2), models="NY-FS{m}{s}", warranty="STD-1Y"),
    Line("NY", "JD0303", "电吹风", "台", (
        _s("1800W 负离子", "58", "18"), _s("2000W 高速 恒温", "145", "20"),
    ), pack=("箱", 10), models="NY-CF{m}{s}", warranty="STD-1Y"),
    Line("QC", "JD0203", "破壁料理机", "台", (
        _s("1.75L 加热 静音", "360", "17"), _s("1.2L 轻音", "260", "12"),
    ), pack=("箱", 2), models="QC-PB{m}{s}", warranty="STD-1Y"),
    Line("QC", "JD0203", "豆浆机", "台", (
        _s("1.2L 免滤 预约", "170", "12"), _s("0.8L 小容量", "120", "08"),
    ), pack=("箱", 4), models="QC-DJ{m}{s}", warranty="STD-1Y"),
    Line("QC", "JD0203", "电饼铛", "台", (
        _s("30cm 双面加热 悬浮", "95", "30"),
    ), pack=("箱", 4), models="QC-BC{m}{s}", warranty="STD-1Y"),
    Line("QS", "JD0302", "无线吸尘器", "台", (
        _s("手持 150AW 大吸力", "420", "15"), _s("手持 除螨 车家两用", "160", "06"),
    ), models="QS-V{m}{s}", warranty="STD-1Y"),
    Line("QS", "JD0302", "洗地机", "台", (
        _s("吸拖洗一体 自清洁", "1050", "10"),
    ), models="QS-X{m}{s}", warranty="STD-1Y"),
    # 日化
    Line("FF", "RH0201", "洗发露", "瓶", (
        _s("400ml", "16.5", pack=("箱", 12)), _s("750ml", "26", pack=("箱", 12)),
        _s("200ml", "9.5", pack=("箱", 24)),
    ), ("去屑清爽", "丝质柔顺", "氨基酸控油", "人参防脱"), weight=3),
    Line("FF", "RH0201", "沐浴露", "瓶", (
        _s("720ml", "22", pack=("箱", 12)), _s("1L 家庭装", "28", pack=("箱", 8)),
    ), ("樱花香", "柠檬清香", "牛奶滋润"), weight=2),
    Line("HC", "RH0202", "牙膏", "支", (
        _s("120g", "5.6", pack=("箱", 48)), _s("180g", "8.2", pack=("箱", 36)),
        _s("90g×3支 家庭装", "13.5", unit="组", pack=("箱", 24)),
    ), ("薄荷清新", "亮白", "抗敏感", "草本"), weight=3),
    Line("HC", "RH0202", "牙刷", "支", (
        _s("软毛 单支", "2.6", pack=("箱", 240)),
        _s("软毛 4支装", "9.8", unit="组", pack=("箱", 60)),
    ), ("成人", "儿童")),
    Line("RY", "RH03", "抽纸", "提", (
        _s("3层100抽×6包", "8.5"), _s("4层120抽×10包", "15.5"),
    ), ("原木", "竹浆"), pack=("件", 8), weight=2),
    Line("RY", "RH03", "卷纸", "提", (
        _s("4层140g×10卷", "13.5"), _s("4层200g×12卷", "21"),
    ), ("原木", "竹浆"), pack=("件", 6), weight=2),
    Line("RY", "RH03", "湿巾", "包", (
        _s("80片 加厚", "6.2", pack=("箱", 36)),
        _s("10片×10包 便携", "7.5", unit="组", pack=("箱", 24)),
    )),
    Line("LH", "RH0101", "洗衣液", "瓶", (
        _s("3kg", "25", pack=("箱", 4)), _s("2kg", "17.5", pack=("箱", 6)),
        _s("1kg 补充装", "8.8", unit="袋", pack=("箱", 12)),
        _s("500g 补充装", "5.2", unit="袋", pack=("箱", 24)),
    ), ("薰衣草香", "深层洁净", "护色增艳", "除菌除螨"), weight=4),
    Line("LH", "RH0101", "洗衣粉", "袋", (
        _s("1.8kg", "14", pack=("箱", 8)), _s("508g", "4.5", pack=("箱", 30)),
    ), ("无磷", "加酶去渍"), weight=2),
    Line("LH", "RH0101", "洗衣凝珠", "盒", (
        _s("30颗", "22", pack=("箱", 12)), _s("52颗 袋装", "35", unit="袋", pack=("箱", 8)),
    ), ("清新花香", "持久留香")),
    Line("LH", "RH0101", "衣物柔顺剂", "瓶", (
        _s("2.5L", "21", pack=("箱", 6)), _s("1L", "10.5", pack=("箱", 12)),
    ), ("樱花", "海洋清新", "婴儿")),
    Line("JL", "RH0102", "洗洁精", "瓶", (
        _s("1.5kg", "9.8", pack=("箱", 8)), _s("500g", "4.2", pack=("箱", 20)),
        _s("5kg 大桶", "26", unit="桶", pack=("件", 4)),
    ), ("柠檬", "绿茶", "生姜去腥"), weight=2),
    Line("JL", "RH0102", "84消毒液", "瓶", (
        _s("1.2kg", "7.2", pack=("箱", 12)), _s("500g", "3.8", pack=("箱", 24)),
    )),
    Line("JL", "RH0102", "洁厕灵", "瓶", (
        _s("500g", "5.5", pack=("箱", 20)), _s("1kg", "9", pack=("箱", 12)),
    ), ("强力去垢", "清香型")),
    Line("JL", "RH0102", "厨房重油污清洁剂", "瓶", (_s("500g 喷雾", "8.5"),), pack=("箱", 20)),
    # 粮油
    Line("JH", "SP0101", "东北大米", "袋", (
        _s("5kg", "26", pack=("件", 4)), _s("10kg", "50", pack=("件", 2)),
        _s("2.5kg", "14", pack=("件", 8)),
    ), ("长粒香", "稻花香", "珍珠米"), weight=3),
    Line("JH", "SP0101", "江南新米", "袋", (
        _s("5kg", "22", pack=("件", 4)), _s("10kg", "42", pack=("件", 2)),
        _s("25kg", "98", pack=NO_PACK),
    ), ("软香粳米", "丝苗米"), weight=2),
    Line("JH", "SP0102", "小麦粉", "袋", (
        _s("5kg", "17", pack=("件", 4)), _s("2.5kg", "9", pack=("件", 8)),
        _s("1kg", "4.2", pack=("件", 20)),
    ), ("高筋", "中筋 饺子粉", "低筋 糕点粉"), weight=2),
    Line("JH", "SP0102", "挂面", "包", (
        _s("1kg", "6.8", pack=("箱", 10)), _s("500g", "3.6", pack=("箱", 20)),
    ), ("龙须面", "鸡蛋面", "荞麦面", "宽面"), weight=2),
    Line("FS", "SP0103", "花生油", "桶", (
        _s("5L 压榨一级", "118", pack=("箱", 4)), _s("1.8L 压榨一级", "46", pack=("箱", 6)),
        _s("900ml 压榨一级", "25", unit="瓶", pack=("箱", 12)),
    ), weight=2),
    Line("FS", "SP0103", "玉米油", "桶", (
        _s("5L 非转基因", "62", pack=("箱", 4)), _s("1.8L 非转基因", "25", pack=("箱", 6)),
    )),
    Line("FS", "SP0103", "菜籽油", "桶", (
        _s("5L 浓香", "70", pack=("箱", 4)), _s("5L 低芥酸", "68", pack=("箱", 4)),
    )),
    Line("FS", "SP0103", "食用调和油", "桶", (
        _s("5L", "45", pack=("箱", 4)), _s("2.5L", "24", pack=("箱", 6)),
    )),
    Line("FS", "SP0103", "葵花籽油", "桶", (_s("5L 压榨一级", "75"),), pack=("箱", 4)),
    # 饮料
    Line("QQ", "SP0201", "天然饮用水", "瓶", (
        _s("550ml", "0.75", pack=("箱", 24)), _s("380ml", "0.6", pack=("箱", 24)),
        _s("1.5L", "1.6", pack=("箱", 12)), _s("4.5L", "3.8", unit="桶", pack=("件", 6)),
        _s("12L", "7.5", unit="桶", pack=("件", 2)),
    ), weight=3),
    Line("QQ", "SP0201", "饮用纯净水", "瓶", (
        _s("555ml", "0.65", pack=("箱", 24)), _s("5L", "3.5", unit="桶", pack=("件", 4)),
        _s("18.9L 桶装", "9", unit="桶", pack=NO_PACK),
    ), weight=2),
    Line("QQ", "SP0201", "苏打水", "瓶", (_s("410ml", "1.8"),), ("原味", "柠檬味", "白桃味"),
         pack=("箱", 15)),
    Line("GY", "SP0203", "果汁饮料", "瓶", (
        _s("450ml", "2.3", pack=("箱", 15)), _s("1L", "4.6", pack=("箱", 12)),
        _s("250ml 利乐包", "1.4", unit="盒", pack=("箱", 24)),
    ), ("橙汁", "苹果汁", "葡萄汁", "芒果汁", "山楂汁"), weight=3),
    Line("GY", "SP0203", "100%果汁", "瓶", (
        _s("1L", "9.5", pack=("箱", 6)), _s("300ml", "3.9", pack=("箱", 12)),
    ), ("NFC橙汁", "苹果汁", "番茄汁"), weight=2),
    Line("CY", "SP0202", "茶饮料", "瓶", (
        _s("500ml", "1.9", pack=("箱", 15)), _s("1L", "3.4", pack=("箱", 12)),
    ), ("冰红茶", "绿茶", "茉莉花茶", "乌龙茶 无糖", "柠檬红茶"), weight=3),
    Line("CY", "SP0202", "凉茶", "瓶", (
        _s("310ml", "1.9", unit="罐", pack=("箱", 24)), _s("500ml", "2.4", pack=("箱", 15)),
    )),
]
# fmt: on

LAUNCH_MIX: Final = (
    (LaunchStatus.ACTIVE, 80),
    (LaunchStatus.NEW, 10),
    (LaunchStatus.PHASING_OUT, 6),
    (LaunchStatus.DISCONTINUED, 4),
)
SERIES_LETTERS: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ"
SERIES_MARKS: Final = "ABCDEHJKMNPSTX"


@dataclass(frozen=True)
class PackRow:
    name: str
    factor: Decimal
    barcode: str


@dataclass(frozen=True)
class ProductRow:
    """One planned product; `cost` is the list cost of its size, before the supplier's terms."""

    code: str
    name: str
    specification: str
    barcode: str
    brand: str
    supplier: str
    category: str
    base_unit: str
    is_serialized: bool
    launch_status: str
    launch_date: date
    warranty_policy_code: str
    packs: tuple[PackRow, ...]
    cost: Decimal
    is_appliance: bool


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit of any GTIN body (EAN-13 from 12 digits, ITF-14 from 13)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def _allocate(total: int, lines: Sequence[Line]) -> list[int]:
    """How many products each line gets: at least one, then by weight, FMCG capped by combos."""
    caps = [10**6 if line.models else len(line.specs) * len(line.variants) for line in lines]
    if not len(lines) <= total <= sum(caps):
        raise ValueError(f"{total} products do not fit {len(lines)} product lines")
    weight_sum = sum(line.weight for line in lines)
    counts = [
        min(cap, max(1, total * line.weight // weight_sum))
        for line, cap in zip(lines, caps, strict=True)
    ]
    left = total - sum(counts)
    while left:
        for index in range(len(lines)):
            if left > 0 and counts[index] < caps[index]:
                counts[index] += 1
                left -= 1
            elif left < 0 and counts[index] > 1:
                counts[index] -= 1
                left += 1
    return counts


def _launch(rng: random.Random) -> tuple[str, date]:
    statuses, weights = zip(*LAUNCH_MIX, strict=True)
    status = rng.choices(statuses, weights=weights)[0]
    if status == LaunchStatus.NEW:
        return status, TODAY - timedelta(days=rng.randrange(10, 120))
    first, last = {
        LaunchStatus.ACTIVE: (date(2019, 1, 1), date(2026, 6, 30)),
        LaunchStatus.PHASING_OUT: (date(2017, 1, 1), date(2022, 12, 31)),
        LaunchStatus.DISCONTINUED: (date(2015, 1, 1), date(2021, 12, 31)),
    }[status]
    return status, first + timedelta(days=rng.randrange((last - first).days + 1))


def catalog_rows(size: str, seed: int = DEFAULT_SEED) -> list[ProductRow]:
    """The products of a demo size, in code order; pure and deterministic by `seed`."""
    rng = random.Random(f"{seed}/catalog")
    brands = {code: (name, supplier) for code, name, supplier in BRANDS}
    prefixes: dict[str, str] = {}
    while len(prefixes) < len(SUPPLIERS):  # GS1 China company prefixes, 8 digits from 690
        prefix = f"69{rng.randrange(10**6):06d}"
        if prefix not in prefixes.values():
            prefixes[SUPPLIERS[len(prefixes)][0]] = prefix
    next_item = {supplier: rng.randrange(100, 2000) for supplier in prefixes}
    next_code = dict.fromkeys(brands, 1)
    rows: list[ProductRow] = []
    seen_names: set[str] = set()
    for line, count in zip(LINES, _allocate(SIZES[size].products, LINES), strict=True):
        brand_name, supplier = brands[line.brand]
        if line.models:
            drafts = []
            for index in range(count):
                spec = line.specs[index % len(line.specs)]
                variant = rng.choice(line.variants)
                while True:
                    series = (
                        f"{rng.choice(SERIES_LETTERS)}{rng.choice(SERIES_MARKS)}"
                        f"{rng.randrange(1, 10)}"
                    )
                    model = line.models.format(m=spec.model, s=series)
                    name = " ".join(
                        p for p in (brand_name, line.kind, model, spec.text, variant) if p
                    )
                    if name not in seen_names:
                        seen_names.add(name)
                        break
                specification = "；".join(p for p in (f"型号 {model}", spec.text, variant) if p)
                drafts.append((spec, name, specification))
        else:
            combos = [(s, v) for s in line.specs for v in line.variants]
            drafts = []
            for pick in sorted(rng.sample(range(len(combos)), count)):
                spec, variant = combos[pick]
                name = " ".join(p for p in (brand_name, line.kind, spec.text, variant) if p)
                drafts.append((spec, name, ""))
        for spec, name, specification in drafts:
            unit = spec.unit or line.unit
            pack = spec.pack if spec.pack is not None else line.pack
            if pack == NO_PACK:
                pack = None
            item = next_item[supplier]
            next_item[supplier] += rng.randrange(1, 3)
            if item > 9999:
                raise ValueError(f"supplier {supplier} ran out of GS1 item numbers")
            body = f"{prefixes[supplier]}{item:04d}"
            barcode = f"{body}{ean13_check_digit(body)}"
            packs: tuple[PackRow, ...] = ()
            if pack is not None:
                case = f"1{body}"
                packs = (PackRow(pack[0], Decimal(pack[1]), f"{case}{gtin_check_digit(case)}"),)
                if not line.models:
                    specification = f"{spec.text}×{pack[1]}{unit}/{pack[0]}"
            status, launched = _launch(rng)
            code = f"{line.brand}{next_code[line.brand]:04d}"
            next_code[line.brand] += 1
            rows.append(
                ProductRow(
                    code=code,
                    name=name,
                    specification=specification or spec.text,
                    barcode=barcode,
                    brand=line.brand,
                    supplier=supplier,
                    category=line.category,
                    base_unit=unit,
                    is_serialized=unit == "台",
                    launch_status=status,
                    launch_date=launched,
                    warranty_policy_code=line.warranty,
                    packs=packs,
                    cost=Decimal(spec.cost),
                    is_appliance=line.is_appliance,
                )
            )
    return sorted(rows, key=lambda row: row.code)


# --- price lists ------------------------------------------------------------------------

PRICES_FROM: Final = date(2026, 1, 1)
OLD_PRICES_FROM: Final = date(2025, 1, 1)
REPLACED_ON: Final = date(2026, 7, 1)
TIER_FACTORS: Final = {Tier.A: Decimal("0.96"), Tier.B: Decimal("0.98")}
KEY_CUSTOMER_FACTOR: Final = Decimal("0.98")  # of the tier-A price
BREAK_FACTOR: Final = Decimal("0.98")  # from 10 cases up, in the default list
KEY_CUSTOMERS: Final = 2


@dataclass(frozen=True)
class PriceRow:
    product: str
    unit_price: Decimal
    valid_from: date
    valid_to: date | None = None
    min_quantity: Decimal = Decimal(0)


@dataclass
class PriceListRow:
    kind: str
    name: str
    valid_from: date
    valid_to: date | None = None
    supplier: str = ""
    customer: str = ""
    tier: str = ""
    notes: str = ""
    items: list[PriceRow] = field(default_factory=list)


def _price(amount: Decimal) -> Decimal:
    """A list price: whole yuan from ¥100 up (as appliance price lists are), else fen."""
    return quantize(
        amount.quantize(Decimal(1), rounding=ROUND_HALF_UP) if amount >= 100 else amount
    )


def _retail_price(raw: Decimal) -> Decimal:
    """A shelf price at or above `raw`: ¥1.50, ¥25.90, ¥329, ¥2,899."""
    if raw < 10:
        step, less = Decimal("0.5"), Decimal(0)
    elif raw < 100:
        step, less = Decimal(1), Decimal("0.1")
    elif raw < 1000:
        step, less = Decimal(10), Decimal(1)
    else:
        step, less = Decimal(100), Decimal(1)
    return quantize(((raw + less) / step).to_integral_value(rounding=ROUND_CEILING) * step - less)


def price_rows(
    products: Sequence[ProductRow],
    key_customers: Sequence[tuple[str, str]],
    seed: int = DEFAULT_SEED,
) -> list[PriceListRow]:
    """Every price list with its items; pure and deterministic by `seed`.

    `key_customers` are (code, short name) of the customers with their own list. For every
    product: purchase < key customer < tier A < tier B < default wholesale < suggested retail.
    """
    rng = random.Random(f"{seed}/prices")
    short_names = {code: short for code, _name, short, _tax in SUPPLIERS}
    purchase = {
        code: PriceListRow(
            PriceKind.PURCHASE,
            f"{short_names[code]} 2026年采购价",
            PRICES_FROM,
            supplier=code,
            notes="厂家 2026 年度供货价（含税），按基本单位。",
        )
        for code, *_rest in SUPPLIERS
    }
    old_wholesale = PriceListRow(
        PriceKind.WHOLESALE,
        "2025年标准批发价",
        OLD_PRICES_FROM,
        REPLACED_ON - timedelta(days=1),
        notes="旧价：2026-07-01 起由“2026年标准批发价”中的新价替代。",
    )
    wholesale = PriceListRow(
        PriceKind.WHOLESALE,
        "2026年标准批发价",
        PRICES_FROM,
        notes="所有客户的默认批发价；饮料、粮油满 10 箱（件）另有优惠。",
    )
    tiers = {
        tier: PriceListRow(
            PriceKind.WHOLESALE,
            f"2026年{tier}类客户价",
            PRICES_FROM,
            tier=tier,
            notes=f"{tier}类客户在标准批发价基础上约 {100 - int(factor * 100)}% 优惠。",
        )
        for tier, factor in TIER_FACTORS.items()
    }
    customers = [
        PriceListRow(
            PriceKind.WHOLESALE,
            f"{short} 2026年协议价",
            PRICES_FROM,
            customer=code,
            notes="年度框架协议约定的重点商品价格。",
        )
        for code, short in key_customers
    ]
    old_retail = PriceListRow(
        PriceKind.RETAIL,
        "2025年建议零售价",
        OLD_PRICES_FROM,
        REPLACED_ON - timedelta(days=1),
        notes="旧价：2026-07-01 起由“2026年建议零售价”中的新价替代。",
    )
    retail = PriceListRow(PriceKind.RETAIL, "2026年建议零售价", PRICES_FROM)
    history_candidates = [
        p.code
        for p in products
        if p.launch_status == LaunchStatus.ACTIVE and p.launch_date < OLD_PRICES_FROM
    ]
    changed = set(
        rng.sample(history_candidates, min(len(history_candidates), max(5, len(products) // 60)))
    )
    for product in products:
        jitter = Decimal(rng.randrange(960, 1041)) / 1000
        cost = _price(product.cost * jitter)
        margin = rng.randrange(1080, 1151) if product.is_appliance else rng.randrange(1100, 1221)
        base = _price(cost * margin / 1000)
        tier_prices = {tier: _price(base * factor) for tier, factor in TIER_FACTORS.items()}
        markup = rng.randrange(125, 146) if product.is_appliance else rng.randrange(130, 161)
        shelf = _retail_price(base * markup / 100)
        key_price = _price(tier_prices[Tier.A] * KEY_CUSTOMER_FACTOR)
        if not cost < key_price < tier_prices[Tier.A] < tier_prices[Tier.B] < base < shelf:
            raise ValueError(f"prices of {product.code} are out of order")
        start = max(PRICES_FROM, product.launch_date)
        purchase[product.supplier].items.append(PriceRow(product.code, cost, start))
        current_from = start
        if product.code in changed:  # the 2025 price, replaced on 2026-07-01
            old_base = _price(base * rng.randrange(104, 109) / 100)
            last_day = REPLACED_ON - timedelta(days=1)
            old_wholesale.items.append(PriceRow(product.code, old_base, OLD_PRICES_FROM, last_day))
            old_retail.items.append(
                PriceRow(
                    product.code,
                    _retail_price(old_base * markup / 100),
                    OLD_PRICES_FROM,
                    last_day,
                )
            )
            current_from = REPLACED_ON
        wholesale.items.append(PriceRow(product.code, base, current_from))
        if product.packs and product.category.startswith("SP") and rng.random() < 0.5:
            volume_price = _price(base * BREAK_FACTOR)
            if cost < volume_price < base:
                wholesale.items.append(
                    PriceRow(
                        product.code,
                        volume_price,
                        current_from,
                        min_quantity=product.packs[0].factor * 10,
                    )
                )
        for tier, price in tier_prices.items():
            tiers[tier].items.append(PriceRow(product.code, price, start))
        for price_list in customers:
            if product.launch_status != LaunchStatus.DISCONTINUED and rng.random() < 0.25:
                price_list.items.append(PriceRow(product.code, key_price, start))
        retail.items.append(PriceRow(product.code, shelf, current_from))
    return [
        *purchase.values(),
        old_wholesale,
        wholesale,
        *tiers.values(),
        *customers,
        old_retail,
        retail,
    ]


PRICE_LISTS: Final = len(SUPPLIERS) + 4 + len(TIER_FACTORS) + KEY_CUSTOMERS


# --- people -----------------------------------------------------------------------------


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


# --- inserts ----------------------------------------------------------------------------


def _insert_catalog(
    org: Organization, rows: Sequence[ProductRow], progress: Callable[[int, str], None]
) -> dict[str, int]:
    """Brands, the category tree, products and packaging units; product code → id."""
    with transaction.atomic(), org_scope(org):
        suppliers = dict(Party.objects.filter(kind=PartyKind.SUPPLIER).values_list("code", "pk"))
        brands = Brand.objects.bulk_create(
            [
                Brand(
                    org=org,
                    supplier_id=suppliers[supplier],
                    code=code,
                    name=name,
                    pinyin=pinyin_initials(name),
                )
                for code, name, supplier in BRANDS
            ]
        )
        brand_ids = {brand.code: brand.pk for brand in brands}
        categories: dict[str, Category] = {}
        for code, name, parent_code in CATEGORIES:
            parent = categories[parent_code] if parent_code else None
            category = Category.objects.create(
                org=org,
                parent=parent,
                code=code,
                name=name,
                depth=parent.depth + 1 if parent else 0,
            )
            category.path = f"{parent.path if parent else ''}{category.pk:08d}/"
            category.save(update_fields=["path"])
            categories[code] = category
    progress(1, "brands and categories")
    product_ids: dict[str, int] = {}
    for batch in _batched(rows):
        with transaction.atomic(), org_scope(org):
            products = Product.objects.bulk_create(
                [
                    Product(
                        org=org,
                        code=row.code,
                        name=row.name,
                        pinyin=pinyin_initials(row.name),
                        barcode=row.barcode,
                        specification=row.specification,
                        brand_id=brand_ids[row.brand],
                        category=categories[row.category],
                        base_unit=row.base_unit,
                        is_serialized=row.is_serialized,
                        launch_status=row.launch_status,
                        launch_date=row.launch_date,
                        warranty_policy_code=row.warranty_policy_code,
                    )
                    for row in batch
                ]
            )
            PackagingUnit.objects.bulk_create(
                [
                    PackagingUnit(
                        org=org,
                        product=product,
                        name=pack.name,
                        factor=pack.factor,
                        barcode=pack.barcode,
                    )
                    for row, product in zip(batch, products, strict=True)
                    for pack in row.packs
                ]
            )
            product_ids.update((product.code, product.pk) for product in products)
        progress(len(batch), "products")
    return product_ids


def _insert_prices(
    org: Organization,
    lists: Sequence[PriceListRow],
    product_ids: dict[str, int],
    steps: int,
    progress: Callable[[int, str], None],
) -> None:
    """The price lists and their items; reports `steps` in all, spread over the lists."""
    with org_scope(org):
        parties = dict(
            Party.objects.filter(
                code__in={row.supplier or row.customer for row in lists} - {""}
            ).values_list("code", "pk")
        )
    done = 0
    for number, row in enumerate(lists, start=1):
        with transaction.atomic(), org_scope(org):
            price_list = PriceList.objects.create(
                org=org,
                kind=row.kind,
                name=row.name,
                supplier_id=parties[row.supplier] if row.supplier else None,
                customer_id=parties[row.customer] if row.customer else None,
                tier=row.tier,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                notes=row.notes,
            )
            for batch in _batched(row.items):
                PriceListItem.objects.bulk_create(
                    [
                        PriceListItem(
                            org=org,
                            price_list=price_list,
                            product_id=product_ids[item.product],
                            unit_price=item.unit_price,
                            min_quantity=item.min_quantity,
                            valid_from=item.valid_from,
                            valid_to=item.valid_to,
                        )
                        for item in batch
                    ]
                )
        target = steps * number // len(lists)
        progress(target - done, "price lists")
        done = target


def key_customers(org: Organization) -> list[tuple[str, str]]:
    """(code, short name) of the customers with their own price list (key accounts).

    The first active chain stores and sub-distributors, then wholesalers if there are too few.
    """
    with org_scope(org):
        found = list(
            Party.objects.filter(
                kind=PartyKind.CUSTOMER,
                status=PartyStatus.ACTIVE,
                customer_type__in=[CustomerType.CHAIN_STORE, CustomerType.SUB_DISTRIBUTOR],
            )
            .order_by("code")
            .values_list("code", "short_name")[:KEY_CUSTOMERS]
        )
        if len(found) < KEY_CUSTOMERS:
            found += (
                Party.objects.filter(
                    kind=PartyKind.CUSTOMER,
                    status=PartyStatus.ACTIVE,
                    customer_type=CustomerType.WHOLESALER,
                )
                .order_by("code")
                .values_list("code", "short_name")[: KEY_CUSTOMERS - len(found)]
            )
    return found


def build(
    *,
    size: str = "small",
    seed: int = DEFAULT_SEED,
    progress: Callable[[int, str], None] = lambda _n, _label: None,
) -> Organization:
    """Create the demo organizations, users for every role, territories, suppliers, customers,
    the catalog (brands, categories, products, packaging) and the price lists."""
    spec = SIZES[size]
    rng = random.Random(seed)
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
            for username, name, phone in rep_rows(rng, spec):
                user = _user(username, name)
                user.phone = phone
                user.save(update_fields=["phone"])
                reps.append(Membership.objects.create(org=org, user=user, role=Role.SALES_REP))
            progress(1, "staff")
            districts = _territories(org)
            Party.objects.bulk_create(
                [
                    Party(org=org, kind=PartyKind.SUPPLIER, status=PartyStatus.ACTIVE, **fields)
                    for fields in supplier_rows(rng)
                ]
            )
            progress(1, "suppliers")

    products = catalog_rows(size, seed)
    product_ids = _insert_catalog(org, products, progress)

    for batch in customer_batches(rng, spec, [d.name for d in districts]):
        with transaction.atomic(), org_scope(org):
            customers = [
                Party(
                    org=org,
                    kind=PartyKind.CUSTOMER,
                    territory=districts[fields["number"] % len(districts)],
                    owner=reps[fields["number"] % len(reps)],
                    **{k: v for k, v in fields.items() if k != "number"},
                )
                for fields in batch.customers
            ]
            Party.objects.bulk_create(customers)
            Contact.objects.bulk_create(
                [
                    Contact(org=org, party=customer, **contact)
                    for customer, contacts in zip(customers, batch.contacts, strict=True)
                    for contact in contacts
                ]
            )
        progress(len(customers), "customers")

    lists = price_rows(products, key_customers(org), seed)
    _insert_prices(org, lists, product_ids, len(products), progress)

    with transaction.atomic(), org_scope(org):
        supplier = Party.objects.get(kind=PartyKind.SUPPLIER, code="S001")
        Membership.objects.create(
            org=org, user=_user("demo-maker", "华岚·刘经理"), role=Role.MANUFACTURER, party=supplier
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
                    status=PartyStatus.ACTIVE,
                    tier=Tier.C,
                    **fields,
                )
                for fields in branch_customer_rows(rng)
            ]
        )
    progress(1, "portal users")
    return org


def total_steps(size: str) -> int:
    """Progress steps of `build`: customers, products twice (rows, prices) and four more."""
    spec = SIZES[size]
    return spec.customers + 2 * spec.products + 4
