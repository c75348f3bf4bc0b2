"""Scalars as TensorBoard event files, written with the tensorboard package alone, so a backend
without its own TensorBoard logger (Paddle's is VisualDL) fills `tensorboard/` in the run
directory too, and one `tensorboard --logdir runs` shows runs of both backends."""

import time
from pathlib import Path


class ScalarWriter:
    def __init__(self, folder: Path):
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        folder.mkdir(parents=True, exist_ok=True)
        self.writer = EventFileWriter(str(folder))

    def add(self, scalars: dict, step: int) -> None:
        """One event at `step` holding every scalar that has a value."""
        from tensorboard.compat.proto.event_pb2 import Event
        from tensorboard.compat.proto.summary_pb2 import Summary

        values = [Summary.Value(tag=tag, simple_value=float(v)) for tag, v in scalars.items() if v is not None]
        self.writer.add_event(Event(wall_time=time.time(), step=step, summary=Summary(value=values)))
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()
