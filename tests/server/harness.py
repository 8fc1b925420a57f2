"""What the server test scripts (test_serve.py, test_review.py) share: a
failed check, and the loop that runs a script's tests against its one
server and upstream and reports them. Python 3 standard library only.
"""

import signal
import sys


class Failure(Exception):
    pass


def check(cond, why):
    if not cond:
        raise Failure(why)


def run_tests(tests, srv, up, exit_failure):
    """Run `tests` in order, printing "ok NAME" or "FAIL NAME: why" for each;
    then stop `srv` (SIGTERM) and `up`, print the server's log when anything
    failed, and count a bad exit status as one more failure when
    `exit_failure(code)` gives the line to print (None: not counted).
    Returns (passed, failed)."""
    passed = failed = 0
    try:
        for t in tests:
            name = t.__name__[5:]
            try:
                t()
                print("ok %s" % name)
                passed += 1
            except Failure as e:
                print("FAIL %s: %s" % (name, e))
                failed += 1
            except Exception as e:  # noqa: BLE001
                print("FAIL %s: %s: %s" % (name, type(e).__name__, e))
                failed += 1
            sys.stdout.flush()
    finally:
        code = srv.stop(signal.SIGTERM)
        up.stop()
        if failed or code not in (0, None):
            print("  server log (last 30 lines):")
            for line in srv.text().splitlines()[-30:]:
                print("    " + line)
        why = exit_failure(code) if code not in (0, None) else None
        if why:
            print(why)
            failed += 1
    return passed, failed
