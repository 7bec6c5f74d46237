import sys, types, json.decoder, json.encoder, argparse
def decode(table, first):
    out = []; i = 0; line = first; addr = 0
    def varint():
        nonlocal i
        b = table[i]; i += 1; v = b & 63; s = 0
        while b & 64:
            b = table[i]; i += 1; s += 6; v |= (b & 63) << s
        return v
    def svarint():
        v = varint(); return -(v >> 1) if v & 1 else v >> 1
    while i < len(table):
        h = table[i]; i += 1
        assert h & 0x80
        code = (h >> 3) & 15; n = (h & 7) + 1; ln = line
        if code == 15: ln = None
        elif code == 14: line += svarint(); ln = line; varint(); varint(); varint()
        elif code == 13: line += svarint(); ln = line
        elif code >= 10: line += code - 10; ln = line; i += 2
        else: i += 1
        out.append((addr*2, (addr+n)*2, ln)); addr += n
    return out
def codes(co):
    yield co
    for c in co.co_consts:
        if isinstance(c, types.CodeType): yield from codes(c)
bad = total = 0
for mod in (json.decoder, json.encoder, argparse):
    for name, obj in vars(mod).items():
        fs = []
        if isinstance(obj, types.FunctionType): fs = [obj]
        elif isinstance(obj, type): fs = [f for f in vars(obj).values() if isinstance(f, types.FunctionType)]
        for f in fs:
            for co in codes(f.__code__):
                total += 1
                mine = decode(co.co_linetable, co.co_firstlineno)
                # co_lines merges equal neighbours; expand both to per-code-unit line lists
                def per_unit(rs):
                    d = {}
                    for s, e, l in rs:
                        for a in range(s, e, 2): d[a] = l
                    return d
                if per_unit(mine) != per_unit(co.co_lines()): bad += 1
print(sys.version.split()[0], 'code objects', total, 'mismatches', bad)
