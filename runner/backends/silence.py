"""Quiet for the length of a call that prints what says nothing to a runner user: the exporters'
progress lines and warnings, written by Python and by C++ (paddle2onnx, glog) alike, so both the
Python streams and the process's file descriptors 1 and 2 are pointed at a scratch file. An error
still reaches the user as the exception it raises."""

import contextlib
import io
import os
import sys
import tempfile
import warnings


@contextlib.contextmanager
def silenced():
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with tempfile.TemporaryFile() as scratch, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            os.dup2(scratch.fileno(), 1)
            os.dup2(scratch.fileno(), 2)
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
