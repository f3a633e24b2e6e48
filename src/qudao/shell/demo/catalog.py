"""The demo catalog: brands, categories, product lines and `catalog_rows`.

It draws from its own generator (seeded from the same seed), so the people stay unchanged."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from qudao.catalog.models import LaunchStatus
from qudao.catalog.validation import ean13_check_digit
from qudao.shell.demo.people import DEFAULT_SEED, SIZES, SUPPLIERS, TODAY

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
