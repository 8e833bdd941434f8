"""Files the program writes: checked before any work, written whole or not at all, a reason for every refusal."""

import errno
import os
import shutil

import pytest

from gridapp.core.errors import ValidationError
from gridapp.core.files import atomic_output, check_target, os_error_message, write_bytes


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_writes_whole_file_readable_by_its_user_only(tmp_path):
    target = write_bytes(tmp_path / "名单.xlsx", b"content")
    assert target.read_bytes() == b"content"
    if os.name == "posix":
        assert target.stat().st_mode & 0o077 == 0
    assert leftovers(tmp_path) == []


def test_a_failure_midway_keeps_the_old_file_and_leaves_no_part(tmp_path):
    target = tmp_path / "名单.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("writer broke")
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_disk_is_a_sentence_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "名单.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(ValidationError) as caught, atomic_output(target) as tmp:
        tmp.write_bytes(b"start")
        with open("/dev/full", "wb") as full:  # the kernel's own "no space left on device"
            full.write(b"x" * 65536)
            full.flush()
    assert "磁盘空间不足" in caught.value.message and "名单.xlsx" in caught.value.message
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_refuses_folders_and_missing_folders(tmp_path):
    with pytest.raises(ValidationError, match="是文件夹"):
        check_target(tmp_path)
    with pytest.raises(ValidationError, match="文件夹不存在"):
        check_target(tmp_path / "没有这个文件夹" / "x.xlsx")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ValidationError, match="不是文件夹"):
        check_target(tmp_path / "file.txt" / "x.xlsx")


def test_refuses_an_input_of_the_same_job_by_any_name(tmp_path):
    source = tmp_path / "花名册.xlsx"
    source.write_bytes(b"sheet")
    with pytest.raises(ValidationError, match="本次读取的文件"):
        check_target(tmp_path / "." / "花名册.xlsx", inputs=(source,))
    link = tmp_path / "另一个名字.xlsx"
    os.link(source, link)
    with pytest.raises(ValidationError, match="本次读取的文件"):
        check_target(link, inputs=(source,))
    assert check_target(tmp_path / "报告.xlsx", inputs=(source, None)).name == "报告.xlsx"


def test_refuses_any_sqlite_file_and_its_companions(tmp_path, street_store):
    backup = shutil.copy(street_store.path, tmp_path / "备份.sqlite")
    for path in (street_store.path, f"{street_store.path}-wal", f"{street_store.path}-shm",
                 f"{street_store.path}.lock", backup):
        with pytest.raises(ValidationError, match="数据库"):
            check_target(path)


@pytest.mark.skipif(not os.path.isdir("/sys/kernel"), reason="needs Linux sysfs")
def test_a_folder_nobody_may_write_is_named(tmp_path):
    # sysfs refuses new files even to root, so this holds when the tests run as root too
    with pytest.raises(ValidationError) as caught, atomic_output("/sys/kernel/名单.xlsx") as tmp:
        tmp.write_bytes(b"x")
    assert "没有权限" in caught.value.message and "/sys/kernel" in caught.value.message


@pytest.mark.parametrize(("code", "words"), [
    (errno.ENOSPC, "磁盘空间不足"), (errno.EROFS, "只读"), (errno.ENOENT, "文件夹不存在"),
    (errno.ENAMETOOLONG, "太长"), (errno.EIO, "设备出错"), (errno.EINVAL, "不允许的字符"), (errno.EFBIG, "文件太大"),
])
def test_every_reason_the_disk_gives_is_a_sentence(tmp_path, code, words):
    message = os_error_message(OSError(code, os.strerror(code)), tmp_path / "缺少的文件夹" / "名单.xlsx")
    assert words in message and "名单.xlsx" in message


def test_a_folder_that_takes_no_files_is_not_called_missing(tmp_path):
    message = os_error_message(OSError(errno.ENOENT, "No such file or directory"), tmp_path / "名单.xlsx")
    assert "不能新建文件" in message and "不存在" not in message


def test_two_backups_in_one_second_get_two_names(tmp_path):
    from gridapp.core.files import unused_name

    first = tmp_path / "demo-备份-20261202-011500.sqlite"
    assert unused_name(first) == first
    first.write_bytes(b"x")
    assert unused_name(first).name == "demo-备份-20261202-011500-2.sqlite"
