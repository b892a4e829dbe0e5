"""The riotoasterd the library's captures are made against and replayed
on: toasters 1..TOASTERS on ports BASE_PORT+N, and one simulated modem
after them (serial MODEM, port BASE_PORT+MODEM).  record.py starts it so,
and the tests that replay captures start the same (pyrio.daemon.Toasterd:
serials=TOASTERS, modems=1)."""
TOASTERS = 8
MODEM = TOASTERS + 1
