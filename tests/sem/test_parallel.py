"""The engine of power and the bootstrap (sem/parallel.py) on a real Dask cluster: a scheduler and
two workers started on 127.0.0.1 (``dask scheduler`` / ``dask worker``, bounded in time and stopped
by the test) give the same power results and bootstrap draws as the local pool for the same seed,
also when a worker is killed in the middle of the run (its tasks are run again, not dropped); an
unreachable scheduler is named."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import psychometrics as pm

from ..conftest import ROOT

pytest.importorskip("distributed")
DASK = str(Path(sys.executable).with_name("dask"))
POP = "f =~ 0.7*y1 + 0.7*y2 + 0.7*y3\ny4 ~ 0.2*f"
KW = {"n": [60, 100], "seed": 9, "standardized": True, "progress": False}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def cluster():
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False")
    procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    for _ in range(2):
        procs.append(subprocess.Popen([DASK, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                       "--host", "127.0.0.1"], cwd=ROOT, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    from dask.distributed import Client

    client = Client(address, timeout="30s")
    try:
        client.wait_for_workers(2, timeout=60)
        yield address, client, procs
    finally:
        client.close()
        for p in procs[::-1]:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)


def test_dask_cluster_gives_the_local_results(cluster):
    address, client, _ = cluster
    local = pm.power(POP, reps=30, workers=2, **KW).to_frame()
    remote = pm.power(POP, reps=30, scheduler=address, batch=4, **KW)
    pd.testing.assert_frame_equal(local, remote.to_frame())
    assert remote.meta["engine"] == "dask"
    again = pm.power(POP, reps=30, scheduler=client, **KW)          # a Client object works too
    pd.testing.assert_frame_equal(local, again.to_frame())


def test_sem_bootstrap_on_dask_draws_what_the_local_pool_draws(cluster):
    address, _, _ = cluster
    d = pm.simulate(POP, n=200, seed=4, standardized=True)
    m = pm.simulate.analysis_syntax(POP)
    local = pm.sem(m, d, bootstrap=120, seed=3, progress=False, n_jobs=2)
    remote = pm.sem(m, d, bootstrap=120, seed=3, progress=False, scheduler=address)
    np.testing.assert_array_equal(local.bootstrap_draws, remote.bootstrap_draws)
    pd.testing.assert_frame_equal(local.parameters, remote.parameters)


def test_a_worker_killed_mid_run_loses_no_replication(cluster):
    address, client, procs = cluster
    local = pm.power(POP, reps=240, workers=1, **KW).to_frame()
    box: dict = {}

    def run():
        box["res"] = pm.power(POP, reps=240, scheduler=address, batch=2, **KW)

    th = threading.Thread(target=run)
    th.start()
    deadline = time.time() + 60
    while time.time() < deadline and not any(client.processing().values()) and th.is_alive():
        time.sleep(0.05)
    time.sleep(0.5)                      # tasks are running on both workers
    assert th.is_alive(), "the run finished before a worker could be killed; give it more replications"
    procs[1].send_signal(signal.SIGKILL)
    th.join(timeout=240)
    assert not th.is_alive()
    pd.testing.assert_frame_equal(local, box["res"].to_frame())
    assert len(client.scheduler_info()["workers"]) == 1


def test_unreachable_scheduler_is_named(monkeypatch):
    from psychometrics.sem import parallel

    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT", "2s")
    with pytest.raises(pm.PsychometricsError, match="cannot reach the Dask scheduler"):
        pm.power(POP, reps=4, scheduler=f"tcp://127.0.0.1:{_free_port()}", **KW)


def test_ctrl_c_stops_a_local_pool_run_cleanly(tmp_path):
    """SIGINT to the command's process group (as Ctrl-C in a terminal): the run stops within
    seconds with click's 'Aborted!', no traceback, and no worker process left behind."""
    pop = tmp_path / "pop.lav"
    pop.write_text(POP)
    p = subprocess.Popen([sys.executable, "-m", "psychometrics", "power", "--model", str(pop), "--n", "100,200",
                          "--reps", "20000", "--workers", "2", "--seed", "1", "--no-progress"], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        time.sleep(4)                      # the pool is running
        assert p.poll() is None
        os.killpg(p.pid, signal.SIGINT)
        _, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    assert p.returncode != 0 and "Aborted" in err and "Traceback" not in err
    time.sleep(1)
    with pytest.raises(ProcessLookupError):      # nothing left in the process group
        os.killpg(p.pid, 0)
