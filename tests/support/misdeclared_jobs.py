"""A JOB_MODULES module that lists job names where the job classes belong: a mistake a person
makes, which must stop the run with a sentence saying what to write instead."""

JOBS = ["greet"]
