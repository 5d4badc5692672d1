"""A compiled step called from several threads at once gives each call its own answer."""

import threading
import time

import numpy as np

import autograd
from autograd import Tensor


def test_concurrent_replays_never_share_buffers():
    rng = np.random.default_rng(0)
    W = Tensor(rng.standard_normal((200, 200)) * 0.2, requires_grad=True)

    def f(x):
        h = x
        for _ in range(8):
            h = (h @ W).tanh()  # numpy lets other threads run during each matmul
        return h.sum()
    step = autograd.compile(f)
    xs = [Tensor(rng.standard_normal((200, 200))) for _ in range(2)]
    want = [float(f(x).data) for x in xs]
    step(xs[0])
    replay = step._last
    count = replay._references

    def slow_count():  # a thread switch between the "buffers free?" check and their use
        n = count()
        time.sleep(0.002)
        return n
    replay._references = slow_count
    got: list = [[], []]

    def worker(t):
        for _ in range(15):
            got[t].append(float(step(xs[t]).data))
    threads = [threading.Thread(target=worker, args=(t,)) for t in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for t in range(2):
        np.testing.assert_allclose(got[t], [want[t]] * 15, rtol=1e-12)
    assert step.traces == 1
