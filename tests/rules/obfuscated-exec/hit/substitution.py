PLAIN = "abcdefghijklmnopqrstuvwxyz"
SHIFTED = "nopqrstuvwxyzabcdefghijklm"
exec("".join(PLAIN[SHIFTED.index(c)] if c in SHIFTED else c for c in "cevag('uv')"))
