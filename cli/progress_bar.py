"""A progress display on stderr for long data commands: a redrawn bar with records/s and ETA on a terminal, plain
lines (one per step, so logs and tests can follow them) otherwise. Rate and ETA come from the records done in this
run only, so a resumed copy does not report the resumed part as instant speed."""
import sys
import time


class Progress:
    def __init__(self, total, done=0, stream=sys.stderr, clock=time.monotonic):
        self.total = total
        self.done = done
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self.started_done = done
        self.tty = stream.isatty()
        self.last_draw = 0.0

    def advance(self, n, label):
        self.done += n
        now = self.clock()
        if self.tty and now - self.last_draw < 0.1 and self.done < self.total:
            return
        self.last_draw = now
        line = self.describe(label, now)
        if self.tty:
            self.stream.write("\r" + line + "\x1b[K")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def describe(self, label, now):
        elapsed = max(now - self.started, 1e-6)
        rate = (self.done - self.started_done) / elapsed
        share = self.done / self.total if self.total else 1.0
        eta = (self.total - self.done) / rate if rate > 0 else None
        text = (f"{self.done}/{self.total} records ({share:.0%}), {rate:.0f} records/s, "
                f"ETA {clock_text(eta)}  {label}")
        if not self.tty:
            return "copy: " + text
        width = 30
        filled = int(width * min(share, 1.0))
        return "[" + "#" * filled + "." * (width - filled) + "] " + text

    def finish(self):
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def clock_text(seconds):
    if seconds is None:
        return "?"
    seconds = int(seconds + 0.5)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
