"""Passwords attackers try first: the most common ones worldwide and in
Vietnam, and the same with digits or symbols around them (Password1!,
matkhau@2024) or letters swapped for look-alike digits (p@ssw0rd).

A bundled list rather than zxcvbn: it needs nothing installed, and
zxcvbn's dictionaries hold no Vietnamese (``matkhau123``, ``anhyeuem``)."""
from __future__ import annotations

import re

# Lower-cased; each also stands for itself with digits/symbols before or after.
COMMON = frozenset("""
password passwd passw0rd pass pass1234 password1 password123 p@ssword p@ssw0rd secret letmein welcome
welcome1 admin administrator root master login guest user test tester testing default changeme
qwerty qwertyuiop qwertyu asdf asdfgh asdfghjkl zxcvbn zxcvbnm qazwsx qweasd qweasdzxc 1qaz2wsx
abc abcd abcde abcdef abcdefg abcdefgh abcdefghi abcdefghij abc123 abcd1234 a1b2c3 aa123456
iloveyou iloveu loveyou lovely love monkey dragon football baseball soccer superman batman
sunshine princess starwars shadow michael jennifer jordan hunter killer trustno1 whatever
freedom hello hellokitty charlie donald flower cookie summer winter computer internet
samsung iphone apple google facebook zalo youtube tiktok microsoft
matkhau matkhau1 matkhau12 matkhau123 matkhaumoi matkhaucuatoi matkhau1234 mk123456
anhyeuem emyeuanh yeuem yeuanh yeuemnhieu anhyeuemnhieu emyeuanhnhieu iuanh iuem yeunhau
toiyeuban toiyeuem toiyeuvietnam vietnam vietnam1 vietnamvodich saigon hanoi hochiminh danang haiphong cantho
tphcm hcm sg hn xinchao chaoban chaoem hihi haha hoho hehe
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly
nguyenvan trannguyen minhanh ngoc linh huong trang thao mai lan hoa
cungcau ocop nongsan hoptacxa htx nhasanxuat nhaphanphoi
""".split())

# Rows of the keyboard and runs that people slide along.
_RUNS = ("0123456789", "9876543210", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm",
         "1qaz2wsx3edc4rfv", "qazwsxedcrfv")
_LOOKALIKES = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "@": "a", "$": "s", "5": "s", "7": "t",
                             "!": "i"})
_EDGES = re.compile(r"^[\d\W_]+|[\d\W_]+$")


def _cores(password: str) -> set[str]:
    lower = password.lower()
    return {lower, _EDGES.sub("", lower), lower.translate(_LOOKALIKES), _EDGES.sub("", lower).translate(_LOOKALIKES),
            _EDGES.sub("", lower.translate(_LOOKALIKES))}


def is_guessable(password: str) -> bool:
    """True for a common password, however it is dressed up, and for keyboard runs and repeats."""
    lower = password.lower()
    # A core of two letters or fewer (123123123a) is digits and symbols, nearly.
    if any(core in COMMON or len(core) < 3 for core in _cores(password)):
        return True
    if any(lower in run or lower in run * 2 for run in _RUNS):
        return True
    # One short chunk repeated: 123123123123, abcabcabcabc, hahahahaha.
    return any(len(lower) % n == 0 and lower == lower[:n] * (len(lower) // n) for n in range(1, 5))
