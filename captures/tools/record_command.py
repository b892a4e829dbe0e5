#!/usr/bin/python3
"""record_command.py — record the loopback traffic of one command with tcpdump.

    record_command.py -o FILE.pcap --port PORT [--host 127.0.0.1] -- COMMAND [ARG...]

The command runs with this process's standard input and output; tcpdump
records `tcp port PORT` on lo from before the command starts until every
packet the command caused is in the file (record.py's Tcpdump: it waits for
"listening on", and after the traffic for a marker datagram to reach the
file — no sleeping).  scripts/tour.sh records its sessions this way.

Exit status: the command's own; 4 if the recording failed (tcpdump did not
start, or lost packets).
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), os.path.dirname(os.path.dirname(HERE))]

from tools.record import EXIT_FAILED, RecordError, Tcpdump  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(prog="record_command.py", description=__doc__.split("\n\n")[0])
    p.add_argument("-o", "--output", required=True, help="capture file to write")
    p.add_argument("--port", type=int, required=True, help="TCP port whose traffic is recorded")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG...]")
    args = p.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        p.error("no command given")
    try:
        with Tcpdump(args.output, args.host, args.port):
            status = subprocess.run(command).returncode
    except RecordError as e:
        print("record_command.py: %s" % e, file=sys.stderr)
        return EXIT_FAILED
    return status


if __name__ == "__main__":
    sys.exit(main())
