"""Writes linetable_cases.json: real CPython 3.11 location tables (co_linetable) with the line of every
code unit as CPython itself reports it (co_lines()), for PythonLineTableTests. Regenerate with
/usr/bin/python3.11 make_linetable_cases.py > linetable_cases.json"""
import json
import sys
import types

SOURCE = '''
import os

def simple(x):
    y = x + 1
    return y * 2

class Shop:
    def checkout(self, basket,
                 discount=0):
        total = 0
        for item in basket:
            if item.price > 100:
                total += item.price * (1 - discount)
            else:
                total += item.price
        try:
            os.stat("/nonexistent")
        except OSError as error:
            total -= 1
        return [t for t in (total, total + 1) if t]

def far_lines():
    a = 1


    b = 2
''' + "\n" * 300 + '''
    c = a + b
''' + "\n" * 40 + '''
    return (c,
            a,
            b)

async def coro(n):
    await something(n)
    return {k: v for k, v in enumerate(range(n))}

def generator(n):
    for value in range(n):
        yield value
    lambda_value = (lambda z: z * 2)(n)
    return lambda_value
'''


def code_objects(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from code_objects(const)


def case(code):
    return {
        "name": code.co_qualname,
        "firstLine": code.co_firstlineno,
        "table": code.co_linetable.hex(),
        "lines": [[start // 2, end // 2, line] for start, end, line in code.co_lines()],
    }


def main():
    if sys.version_info[:2] != (3, 11):
        sys.exit("needs Python 3.11, got " + sys.version)
    module = compile(SOURCE, "shop_sample.py", "exec")
    json.dump({"python": sys.version.split()[0], "cases": [case(c) for c in code_objects(module)]},
              sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
