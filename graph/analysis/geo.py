"""Geography helpers: great-circle distance, China's 31 provinces, their land neighbours and the
eastern provinces (东部地区) used as industrial-transfer sources.

Provinces are keyed by their 6-digit division code (``140000`` 山西省). Adjacency is by land
border; 海南 has none, so it is paired with 广东 across the Qiongzhou Strait (琼州海峡).
Eastern provinces follow the National Bureau of Statistics' 东部地区 (10 provinces).

>>> round(haversine_km(116.40, 39.90, 121.47, 31.23))
1067
>>> are_neighbours("140000", "410000"), are_neighbours("140000", "320000")
(True, False)
"""
from __future__ import annotations

import numpy as np

PROVINCES = {
    "110000": "北京市", "120000": "天津市", "130000": "河北省", "140000": "山西省",
    "150000": "内蒙古自治区", "210000": "辽宁省", "220000": "吉林省", "230000": "黑龙江省",
    "310000": "上海市", "320000": "江苏省", "330000": "浙江省", "340000": "安徽省",
    "350000": "福建省", "360000": "江西省", "370000": "山东省", "410000": "河南省",
    "420000": "湖北省", "430000": "湖南省", "440000": "广东省", "450000": "广西壮族自治区",
    "460000": "海南省", "500000": "重庆市", "510000": "四川省", "520000": "贵州省",
    "530000": "云南省", "540000": "西藏自治区", "610000": "陕西省", "620000": "甘肃省",
    "630000": "青海省", "640000": "宁夏回族自治区", "650000": "新疆维吾尔自治区",
}

# Two-digit prefixes of each province's neighbours (symmetric; checked by the tests).
_NEIGHBOURS = {
    "11": "12 13", "12": "11 13", "13": "11 12 14 15 21 37 41", "14": "13 15 41 61",
    "15": "13 14 21 22 23 61 62 64", "21": "13 15 22", "22": "15 21 23", "23": "15 22",
    "31": "32 33", "32": "31 33 34 37", "33": "31 32 34 35 36", "34": "32 33 36 37 41 42",
    "35": "33 36 44", "36": "33 34 35 42 43 44", "37": "13 32 34 41", "41": "13 14 34 37 42 61",
    "42": "34 36 41 43 50 61", "43": "36 42 44 45 50 52", "44": "35 36 43 45 46", "45": "43 44 52 53",
    "46": "44", "50": "42 43 51 52 61", "51": "50 52 53 54 61 62 63", "52": "43 45 50 51 53",
    "53": "45 51 52 54", "54": "51 53 63 65", "61": "14 15 41 42 50 51 62 64",
    "62": "15 51 61 63 64 65", "63": "51 54 62 65", "64": "15 61 62", "65": "54 62 63",
}
NEIGHBOURS: dict[str, frozenset[str]] = {
    p + "0000": frozenset(n + "0000" for n in ns.split()) for p, ns in _NEIGHBOURS.items()}

EASTERN = frozenset(p + "0000" for p in ("11", "12", "13", "31", "32", "33", "35", "37", "44", "46"))

EARTH_RADIUS_KM = 6371.0088


def province_of_code(code: str | None) -> str | None:
    """The province code a standard 6-digit division code belongs to (by its first two digits)."""
    if not code or len(str(code)) != 6 or not str(code).isdigit():
        return None
    p = str(code)[:2] + "0000"
    return p if p in PROVINCES else None


def are_neighbours(a: str | None, b: str | None) -> bool:
    return bool(a and b and b in NEIGHBOURS.get(a, ()))


def haversine_km(lon1, lat1, lon2, lat2):
    """Great-circle distance in km; scalars or arrays (NaN in, NaN out)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return float(d) if np.ndim(d) == 0 else d
