"""Reading a .zip of CSV files, with the limits that keep a zip bomb out (member size and ratio)."""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path


from graph.errors import UnsupportedInput, ValidationFailed
from graph.settings import Settings
from loaders.read_core import RawTables, file_problem
from loaders.read_csv import _add_csv

def check_zip(zf: zipfile.ZipFile, name: str, limits: Settings, members=None) -> None:
    """Refuse a zip (or xlsx package) whose members would unpack beyond the limits — by their
    declared sizes, before anything is unpacked (:func:`read_member` also stops at the limit
    while unpacking, whatever the headers say)."""
    cap = limits.max_member_mb * 2**20
    for info in (members if members is not None else zf.infolist()):
        if info.file_size > cap:
            raise _bomb(name, info.filename, f"解压后 {info.file_size / 2**20:,.0f} MB，超过上限 "
                        f"{limits.max_member_mb:,.0f} MB unpacks to more than the limit",
                        "CHAINATLAS_MAX_MEMBER_MB")
        if info.file_size > 2**20 and info.file_size > limits.max_zip_ratio * max(info.compress_size, 1):
            raise _bomb(name, info.filename, f"压缩比 {info.file_size / max(info.compress_size, 1):,.0f}:1 "
                        f"超过上限 {limits.max_zip_ratio:,.0f}:1 compression ratio above the limit (a zip bomb?)",
                        "CHAINATLAS_MAX_ZIP_RATIO")


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Settings) -> bytes:
    """A member's bytes, refusing it as soon as it unpacks beyond the limit."""
    cap = int(limits.max_member_mb * 2**20)
    try:
        with zf.open(info) as fh:
            data = fh.read(cap + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as err:
        raise ValidationFailed([file_problem(f"{name}/{info.filename}", f"zip 成员损坏，无法解压 corrupt member ({err})",
                                             "请重新压缩后上传 zip the files again.")], source=name) from err
    if len(data) > cap:
        raise _bomb(name, info.filename, f"解压后超过 {limits.max_member_mb:,.0f} MB unpacks to more than the limit",
                    "CHAINATLAS_MAX_MEMBER_MB")
    return data


def _bomb(name: str, member: str, what: str, setting: str) -> ValidationFailed:
    return ValidationFailed([file_problem(f"{name}/{member}", f"拒绝读取：{what} refused to unpack",
                                          f"检查文件来源；确需导入请拆分，或调大 {setting} check where the file "
                                          f"comes from; split it, or raise {setting} if it is genuine")],
                            source=name)


def _zip_name(info: zipfile.ZipInfo) -> str:
    """Member name, repairing GBK names that zip tools on Chinese Windows write without a flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _read_zip(path: Path, limits: Settings) -> RawTables:
    """Every ``*.csv`` member of a .zip (any folder inside it; macOS metadata skipped)."""
    raw = RawTables(source=path.name)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        raise ValidationFailed([file_problem(path.name, "不是有效的 zip 文件 not a valid zip file",
                                             "请重新压缩这些 CSV 文件。")], source=path.name) from err
    with zf:
        members = [(i, _zip_name(i)) for i in zf.infolist() if not i.is_dir()]
        members = [(i, n) for i, n in members if n.lower().endswith(".csv")
                   and "__MACOSX" not in n and not Path(n).name.startswith(".")]
        if not members:
            raise UnsupportedInput(f"zip 里没有 CSV 文件 no .csv files in {path.name}",
                                   "每张表压缩一个 <表名>.csv。")
        check_zip(zf, path.name, limits, [i for i, _ in members])
        for info, name in sorted(members, key=lambda m: m[1]):
            _add_csv(raw, f"{path.name}/{name}", Path(name).stem, read_member(zf, info, path.name, limits), limits)
    return raw
