#!/usr/bin/python3
"""Capture generator: crafted captures (byte-identical on every run) and
bulk captures for benchmarks.

    gen.py crafted [-o DIR] [NAME ...]     write crafted captures + JSON (default: all, into captures/)
    gen.py list                            list the crafted captures
    gen.py bulk --transactions N -o FILE   write a large, protocol-consistent capture fast

Exit status: 0 success, 2 bad usage or unknown capture name, 3 cannot write.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]

from tools import bulk, catalog  # noqa: E402

EXIT_USAGE, EXIT_IO = 2, 3


def cmd_crafted(args):
    names = args.names or list(catalog.CRAFTED)
    unknown = [n for n in names if n not in catalog.CRAFTED]
    if unknown:
        print("gen.py: unknown crafted capture %s (see gen.py list)" % ", ".join(unknown), file=sys.stderr)
        return EXIT_USAGE
    os.makedirs(args.output, exist_ok=True)
    for name in names:
        path = catalog.build(name).write(args.output)
        if not args.quiet:
            print(path)
    return 0


def cmd_list(_args):
    for name in catalog.CRAFTED:
        print(name)
    return 0


def cmd_bulk(args):
    try:
        bulk.write(args.output, args.transactions, args.connections, args.format, args.json)
    except ValueError as e:
        print("gen.py bulk: %s" % e, file=sys.stderr)
        return EXIT_USAGE
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog="gen.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("crafted", help="write crafted captures and their JSON")
    c.add_argument("-o", "--output", default=HERE, help="directory (default: captures/)")
    c.add_argument("-q", "--quiet", action="store_true")
    c.add_argument("names", nargs="*")
    c.set_defaults(fn=cmd_crafted)
    sub.add_parser("list", help="list crafted captures").set_defaults(fn=cmd_list)
    b = sub.add_parser("bulk", help="a large capture for benchmarks")
    b.add_argument("--transactions", type=int, required=True, help="request/response pairs in all")
    b.add_argument("--connections", type=int, default=1, help="connections they are spread over")
    b.add_argument("--format", choices=["pcap", "pcapng"], default="pcap")
    b.add_argument("--json", action="store_true", help="also write the expectation JSON beside it")
    b.add_argument("-o", "--output", required=True)
    b.set_defaults(fn=cmd_bulk)
    args = p.parse_args(argv)
    try:
        return args.fn(args)
    except OSError as e:
        print("gen.py: %s" % e, file=sys.stderr)
        return EXIT_IO


if __name__ == "__main__":
    sys.exit(main())
