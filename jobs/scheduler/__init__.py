"""`python -m jobs schedule`: the chart's schedules on one machine, without Kubernetes.

Each due entry starts `python -m jobs run JOB ARGS` as a child with the environment the chart
gives a pod, so its run is recorded exactly as in a cluster. docs/scheduler.md tells the story.
"""
