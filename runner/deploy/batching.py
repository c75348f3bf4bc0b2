"""Requests gathered into batches for one onnxruntime call: each request puts its prepared input on
an asyncio queue and awaits its outputs; one worker task takes what is waiting (up to
max_batch_size, after waiting WAIT for more to arrive), stacks inputs of one shape, and runs them in
a thread of its own, so the event loop keeps accepting and decoding while the network runs."""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

WAIT = 0.002  # seconds a lone request waits for company: small beside a network's run, large beside a queue put


class Batcher:
    def __init__(self, run: Callable[[np.ndarray], list[np.ndarray]], max_batch_size: int):
        self.run, self.max_batch_size = run, max_batch_size
        self.queue: asyncio.Queue = asyncio.Queue()
        # One thread: onnxruntime spreads one call over the cores itself; two calls would fight for them.
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="onnxruntime")
        self.batches = 0  # onnxruntime calls made, and the inputs they carried: /health reports them
        self.inputs = 0

    async def __call__(self, x: np.ndarray) -> list[np.ndarray]:
        """One prepared input's outputs (each without the batch axis)."""
        future = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((x, future))
        return await future

    async def work(self) -> None:
        """Run batches until cancelled."""
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self.queue.get()]
            self._take(batch)
            if len(batch) < self.max_batch_size:
                await asyncio.sleep(WAIT)
                self._take(batch)
            shapes: dict[tuple, list] = {}
            for x, future in batch:
                if not future.cancelled():  # its client went away while it waited
                    shapes.setdefault(x.shape, []).append((x, future))
            for group in shapes.values():
                try:
                    outputs = await loop.run_in_executor(self.executor, self.run, np.stack([x for x, _ in group]))
                    answers = [[o[i] for o in outputs] for i in range(len(group))]
                except Exception as e:  # the model's failure is each request's answer, not the worker's end
                    answers = [e] * len(group)
                self.batches, self.inputs = self.batches + 1, self.inputs + len(group)
                for (_, future), answer in zip(group, answers):
                    if future.done():
                        continue
                    if isinstance(answer, Exception):
                        future.set_exception(answer)
                    else:
                        future.set_result(answer)

    def _take(self, batch: list) -> None:
        while len(batch) < self.max_batch_size and not self.queue.empty():
            batch.append(self.queue.get_nowait())

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
