"""How much of a spreadsheet the reader takes on: every bound on a file it is given, in one place.

A sheet someone brings is read only as far as these allow, so a small hostile file (a cell at XFD1048576,
a merged range to the sheet's far corner, a zip that inflates a thousandfold) gets a sentence within a
second or two instead of taking the machine's memory. Each bound is far above what a real roster holds.
"""

from __future__ import annotations

from pathlib import Path

# Rows and columns a sheet may use (Excel's own are 1,048,576 and 16,384). The widest import sheet has
# a few dozen columns; the rows leave room for a district's whole membership.
MAX_ROWS = 300_000
MAX_COLUMNS = 500

# Cells held in memory for one sheet, counting the empty ones between values on a row and the cells
# a merged range fills: 300,000 rows of 30 columns.
MAX_CELLS = 9_000_000

# Cells of the rectangle from a sheet's first to its last cell, for the formats read through calamine
# (.xls, .et, .ods, .xlsb), which lays that rectangle out whole, at about 60 bytes a cell, before any row
# is read: 4,000,000 is an .xls full to its 65,536 rows over 61 columns, and about 250 MB.
MAX_DENSE_CELLS = 4_000_000

# Cells the merged ranges of a sheet may cover, clipped to its data (a roster merging its grid column down
# 300,000 rows covers 300,000; ranges that overlap, which Excel never saves, count each time).
MAX_MERGED_CELLS = 3_000_000

# Merged ranges a sheet may declare (a roster merging its grid cells group by group needs thousands).
MAX_MERGED_RANGES = 200_000

# Characters in one cell or shared string: Excel's own limit.
MAX_CELL_CHARS = 32_767
# Bytes between two XML tags: a cell's text at its longest (each character up to 3 bytes in UTF-8, or an
# entity such as &#x4E2D; of up to 8) with room to spare. A longer run is a string above the cell limit.
MAX_TEXT_BYTES = MAX_CELL_CHARS * 8 + 4096

# The whole file, and what its zip members may inflate to: one member, all of them, and the ratio of a
# member's size to its compressed size (XML compresses about tenfold; a zip bomb a thousandfold).
MAX_FILE_BYTES = 200 << 20
MAX_MEMBER_BYTES = 500 << 20
MAX_TOTAL_BYTES = 1 << 30
MAX_RATIO = 200
RATIO_FLOOR = 1 << 20  # members smaller than this may compress as well as they like

# A CSV file: read whole to find its encoding, so bounded like one sheet member.
MAX_CSV_BYTES = 200 << 20


def check_size(path: Path, limit: int = MAX_FILE_BYTES) -> int:
    """The file's size in bytes; a sentence naming it when it cannot be read or is above ``limit``."""
    from gridapp.core.errors import ValidationError

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ValidationError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
    if size > limit:
        raise ValidationError(f"文件 {path.name} 有 {size >> 20} MB，超过可导入的上限 {limit >> 20} MB，请拆分后再导入")
    return size


def read_bounded(path: Path, limit: int = MAX_CSV_BYTES) -> bytes:
    """A text-format sheet read whole (to find its encoding), within ``limit``."""
    from gridapp.core.errors import ValidationError

    check_size(path, limit)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
