"""Writes the sample sheets the tests import, in the shapes users bring: tests/data/samples/*.xlsx.

    python tests/data/make_samples.py            # (re)write the samples
    python tests/data/make_samples.py --out DIR  # somewhere else

Every name, ID number, credit code and phone number here is made up; the ID numbers and credit codes
carry valid check digits except where a row's comment says otherwise. The roster keeps the problems
the tests expect the importer to find (tests/io/test_samples.py lists them row by row), so change a
row here only together with those tests. Output is deterministic: fixed document times and zip entry
times, so re-running gives the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.xml.functions import tostring

HERE = Path(__file__).resolve().parent
OUT = HERE / "samples"
STAMP = dt.datetime(2026, 11, 23, 23, 28, 15)  # document created/modified, as the first samples had
ZIP_TIME = (2026, 11, 23, 23, 28, 14)

IDEOGRAPHIC_SPACE = "\u3000"


def _date(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d)


# -- 网格划分: a plain sheet, one header row, codes as text, numbers as numbers ------------------------

GRIDS_HEADER = ("社区", "网格名称", "网格编码", "户数", "人口", "四至范围")  # 四至范围: a synonym of 四至
GRIDS_ROWS = (
    ("海泉路社区", "第一网格", "370203012001001", 473, 1251, "东至安路，西至安路，南至泉街，北至源路"),
    ("海泉路社区", "第二网格", "370203012001002", 488, 1286, "东至永路，西至安路，南至溪街，北至山路"),
    ("海泉路社区", "第三网格", "370203012001003", 327, 757, "东至长路，西至福路，南至溪街，北至山路"),
    ("海泉路社区", "第四网格", "370203012001004", 349, 954, "东至安路，西至福路，南至云街，北至镇路"),
    ("云溪社区", "第一网格", "370203012002001", 399, 1075, "东至长路，西至福路，南至云街，北至辽路"),
    ("云溪社区", "第二网格", "370203012002002", 400, 1117, "东至永路，西至州路，南至泉街，北至山路"),
    ("云溪社区", "第三网格", "370203012002003", 402, 1066, "东至安路，西至阳路，南至云街，北至江路"),
    ("云溪社区", "第四网格", "370203012002004", 383, 1000, "东至永路，西至阳路，南至溪街，北至江路"),
    ("松柏社区", "第一网格", "370203012003001", 465, 1082, "东至永路，西至阳路，南至松街，北至镇路"),
    ("松柏社区", "第二网格", "370203012003002", 359, 890, "东至长路，西至延路，南至柏街，北至江路"),
    ("松柏社区", "第三网格", "370203012003003", 406, 1097, "东至安路，西至州路，南至云街，北至辽路"),
    ("松柏社区", "第四网格", "370203012003004", 484, 1235, "东至隆路，西至阳路，南至松街，北至标路"),
)


def grids_book() -> Workbook:
    wb = _book("网格划分")
    ws = wb.active
    ws.append(GRIDS_HEADER)
    for row in GRIDS_ROWS:
        ws.append(row)
    return wb


# -- 网格员花名册: one community's roster as a street office circulates it ------------------------------
# A merged title row naming the community (so “第一网格” means 云溪社区's), a merged issuer line padded
# with ideographic spaces, the header on row 3, a blank row inside the data, totals and signature rows
# at the bottom. Grid names with and without the community, some with a trailing space; dates written
# six ways; phones with a full-width digit, spaces, dashes, a landline; categories in short and long
# forms. Excel's row numbers of the problem rows are what the tests assert.

ROSTER_TITLE = "海泉路街道云溪社区网格员花名册"
ROSTER_ISSUER = f"填报单位（盖章）：云溪社区党委{IDEOGRAPHIC_SPACE * 4}填报日期：2026年10月8日"
ROSTER_HEADER = ("序号", "姓名", "性别", "民族", "身份证号码", "政治面貌", "文化程度", "联系电话", "所属网格", "人员类别",
                 "任职时间", "备注")
# An 18-digit ID typed into a number cell: Excel keeps 15 significant digits (370203199006270336 lost its tail).
ID_AS_NUMBER = 3.702031990062703e17
BLANK = ()
ROSTER_ROWS = (
    (1, "宋欣", "女", "汉族", "370203199210160104", "党员", "本科", "15277826024", "云溪社区第二网格", "专职网格员", "2022.07"),
    (2, "白桂", "男", "汉族", "370203197903140297", "群众", "大专", "15844856286", "第三网格 ", "兼职", "2018年06月"),
    # row 6: the ID number is a number cell
    (3, "雷兰", "女", "汉族", ID_AS_NUMBER, "共青团员", "高中", "15807131050", "第四网格", "兼职网格员", "2019-05-29"),
    (4, "贾佳", "女", "汉族", "37020319690112044X", "中共预备党员", "研究生", "15865494405", "第一网格", "网格长", "2018/09/15"),
    (5, "杜浩洋", "女", "汉族", "370203196908160508", "群众", "中专", "18856999016", "云溪社区第二网格", "专职",
     _date(2022, 3, 1)),
    # row 9: wrong check digit (should end in 8)
    (6, "余磊", "女", "汉族", "370203196310060660", "中共党员", "大学本科", "18635898965", "第三网格 ", "专职", "2023.06"),
    (7, "刘琪", "男", "汉族", "370203199110080772", "党员", "本科", "１8680143699", "第四网格", "专职网格员", "2020年08月"),
    (8, "郭俊婷", "男", "汉族", "370203198912100814", "群众", "大专", "137 3940 4689", "第一网格", "兼职", "2016-07-10"),
    (9, "董丹", "男", "回族", "370203198510020993", "共青团员", "高中", "152-7824-5937", "云溪社区第二网格", "兼职网格员",
     "2017/11/02"),
    (10, f"杜{IDEOGRAPHIC_SPACE}兰晨", "男", "汉族", "370203197011051010", "中共预备党员", "研究生", "15296430436",
     "第三网格 ", "网格长", _date(2024, 2, 9)),
    (11, " 覃丹 ", "女", "汉族", "370203196401111168", "群众", "中专", "15812261613", "第四网格", "专职", "2024.04"),
    # row 15: 男, but the ID number's 17th digit is even (female)
    (12, "龙丹华", "男", "汉族", "370203198002021228", "中共党员", "大学本科", "15810077827", "第一网格", "专职", "2018年09月"),
    (13, "陈浩", "女", "汉族", "370203197307211327", "党员", "本科", "15872066264", "云溪社区第二网格", "专职网格员",
     "2017-07-27"),
    BLANK,  # row 17
    (14, "赵磊雨", "男", "汉族", "370203199509301450", "群众", "大专", "0532-85816268", "第三网格 ", "兼职", "2019/02/14"),
    (15, "程飞峰", "男", "汉族", "370203198406151598", "共青团员", "高中", "18674747120", "第四网格", "兼职网格员",
     _date(2015, 7, 31), "兼任楼栋长"),
    # row 20: a second 网格长 of 第一网格
    (16, "潘敏敏", "男", "汉族", "370203197301201654", "中共预备党员", "研究生", "15216961014", "第一网格", "网格长", "2015.05"),
    (17, "莫远", "女", "汉族", "370203197902051786", "群众", "中专", "18694459742", "云溪社区第二网格", "专职", "2023年10月"),
    (18, "马明飞", "女", "回族", "370203197404101883", "中共党员", "大学本科", "18819193859", "第三网格 ", "专职", "2022-02-04"),
    (19, "蒋峰军", "男", "汉族", "37020319631015199X", "党员", "本科", "18845200049", "第四网格", "专职网格员", "2020/06/26"),
    (20, "朱伟娜", "男", "汉族", "370203198012292013", "群众", "大专", "15807606327", "第一网格", "兼职", _date(2015, 6, 10)),
    # row 25: row 24 pasted twice
    (21, "朱伟娜", "男", "汉族", "370203198012292013", "群众", "大专", "15807606327", "第一网格", "兼职", _date(2015, 6, 10)),
    (21, "丁雨海", "男", "汉族", "370203199612202119", "共青团员", "高中", "18635819215", "云溪社区第二网格", "兼职网格员",
     "2019.02"),  # the 序号 repeats: it is not a key
    # row 27: a second 网格长 of 第三网格
    (22, "梁明琪", "女", "汉族", "370203199510212201", "中共预备党员", "研究生", "18846940031", "第三网格 ", "网格长",
     "2023年03月"),
    (23, "陆飞琪", "女", "汉族", "370203196104262349", "群众", "中专", "18625382693", "第四网格", "专职", "2024-05-08"),
    (24, "金飞", "男", "汉族", "370203199312252413", "中共党员", "大学本科", "18633658047", "第一网格", "专职", "2018/02/16"),
    (25, "宋彤涛", "男", "汉族", "370203197611182591", "党员", "本科", "18656800210", "云溪社区第二网格", "专职网格员",
     _date(2018, 10, 4)),
    (26, "宋芳娜", "女", "汉族", "370203197206252605", "群众", "大专", "15859239322", "第三网格 ", "兼职", "2017.06"),
    (27, "朱娜飞", "男", "回族", "370203198405262755", "共青团员", "高中", "13713781399", "第四网格", "兼职网格员", "2020年03月"),
    # row 33: a third 网格长 of 第一网格
    (28, "谭军兰", "男", "汉族", "370203199311302896", "中共预备党员", "研究生", "18664608396", "第一网格", "网格长",
     "2022-04-23"),
)
# The totals line miscounts (30 for 29 rows), as hand-kept totals do; the reader stops at it anyway.
ROSTER_FOOTER = (
    ("合计", None, None, None, None, None, None, None, None, None, None, "共30人"),
    ("填表人：王丽", None, None, None, "审核人：李建国", None, None, None, "联系电话：0532-82861234"),
)


def roster_book() -> Workbook:
    wb = _book("花名册")
    ws = wb.active
    ws.append((ROSTER_TITLE,))
    ws.append((ROSTER_ISSUER,))
    last = get_column_letter(len(ROSTER_HEADER))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A2:{last}2")
    ws.append(ROSTER_HEADER)
    for number, row in enumerate((*ROSTER_ROWS, *ROSTER_FOOTER), start=4):
        ws.append(row)  # an empty tuple still takes its row: the blank row stays
        for column, value in enumerate(row, start=1):
            if isinstance(value, dt.datetime):
                ws.cell(number, column).number_format = "yyyy-mm-dd"  # a date cell, as Excel shows one
    ws.column_dimensions["E"].width = 22
    return wb


# -- 物业企业: a plain sheet; 服务小区 lists compounds with 、 or ；, most not registered on a new site -------

FIRMS_HEADER = ("企业名称", "统一社会信用代码", "法定代表人", "联系电话", "党组织建立情况", "党员人数", "服务小区")
FIRMS_ROWS = (
    ("青岛海泉物业服务有限公司", "913702036397004899", "邹佳国", "13747607395", "单独组建", 5, "海泉花园、云溪家园"),
    ("青岛云溪物业管理有限公司", "91370203281408618P", "程艳芳", "15230308480", "联合组建", 2, "松柏苑"),
    ("山东松柏物业服务集团有限公司", "9137020384714742XF", "许丽佳", "15214116564", "未建立", 0, "海泉路8号院"),
    ("青岛安居物业有限公司", "91370203145858411W", "魏磊建", "13732034654", "单独组建", 11, "云溪名都；云溪家园二期"),
    ("青岛和美家园物业服务有限公司", "913702039250205642", "侯子晨", "18804201630", "派驻党建指导员", 1, "和美小区"),
)


def firms_book() -> Workbook:
    wb = _book("物业企业")
    ws = wb.active
    ws.append(FIRMS_HEADER)
    for row in FIRMS_ROWS:
        ws.append(row)
    return wb


SAMPLES: dict[str, Callable[[], Workbook]] = {
    "网格划分-示例.xlsx": grids_book,
    "网格员花名册-示例.xlsx": roster_book,
    "物业企业-示例.xlsx": firms_book,
}


def _book(sheet_title: str) -> Workbook:
    wb = Workbook()
    wb.active.title = sheet_title
    wb.properties.creator = "openpyxl"
    wb.properties.created = STAMP
    return wb


def save(wb: Workbook, path: Path) -> None:
    """Save with fixed document and zip entry times, so the same workbook gives the same bytes."""
    buffer = io.BytesIO()
    wb.save(buffer)  # openpyxl stamps "modified" with the time of saving: put the fixed one back below
    wb.properties.modified = STAMP
    core = tostring(wb.properties.to_tree())
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            data = core if item.filename == "docProps/core.xml" else src.read(item)
            dst.writestr(info, data)


def write_all(folder: Path = OUT) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in SAMPLES.items():
        path = folder / name
        save(build(), path)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the sample sheets the tests import.")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder to write to (default {OUT})")
    args = parser.parse_args(argv)
    for path in write_all(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
