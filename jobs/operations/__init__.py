"""The operator's verbs: `python -m jobs status | suspend | resume | trigger | prune`.

Each works on the cluster the Kubernetes configuration names (through `k8s/`), or on this machine
when none does (the chart's values, JobRun and the local suspension flags).
"""
