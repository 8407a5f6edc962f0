"""Tasks for the queue's tests, importable by a worker process started by a test (the project's root is on its
path): one that fails, one that writes down which process ran it."""

import os
import time
from pathlib import Path

from jobs.services import JobOutcome, job_task


@job_task
def always_fails(job, progress):
    raise RuntimeError("the disk is full")


@job_task
def note_the_run(job, progress):
    """Appends "<job> <process>" to the file named in the job's parameters, after a pause."""
    time.sleep(job.params.get("pause", 0))
    with Path(job.params["runs_file"]).open("a") as runs:
        runs.write(f"{job.pk} {os.getpid()}\n")
    return JobOutcome(rows=1, result={"pid": os.getpid()})
