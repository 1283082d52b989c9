"""Where a verb acts: the cluster the configuration names (and which namespace and release), or
this machine when nothing names a cluster."""

import getpass
import socket
from dataclasses import dataclass

from django.conf import settings

from jobs.runtime.errors import UsageError
from k8s.client import Cluster, connect, require


@dataclass
class Target:
    cluster: Cluster | None
    namespace: str = ""
    release: str | None = None

    @property
    def local(self) -> bool:
        return self.cluster is None

    def describe(self) -> str:
        if self.local:
            return "on this machine (no Kubernetes configuration found)"
        release = f", release {self.release}" if self.release else ""
        return f"in namespace {self.namespace}{release} on {self.cluster.server}"


def resolve(args) -> Target:
    """--local, or the configured cluster; a cluster is required when --namespace asks for one
    or the app runs its entries as CronJobs (CRONSUITE_CRONJOB_PREFIX, as Run now does)."""
    if args.local:
        if args.namespace or args.kubeconfig:
            raise UsageError("--local works on this machine: drop --namespace and --kubeconfig.")
        return Target(None)
    cluster = connect(args.kubeconfig, args.request_timeout)
    if cluster is None and not (args.namespace or settings.CRONSUITE_CRONJOB_PREFIX):
        return Target(None)
    cluster = require(cluster)
    namespace = args.namespace or settings.CRONSUITE_NAMESPACE or cluster.namespace
    return Target(cluster, namespace, args.release)


def operator() -> str:
    """Who is acting, for the annotations and the audit record: user@host."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # a container's uid with no passwd entry
        user = "unknown"
    return f"{user}@{socket.gethostname()}"
