"""The run list's pages without counting the whole history: a COUNT(*) over a million runs costs
more than the rest of the page together (bench/web.py). Counting stops past CAP runs; the list
then says "more than 10,000" and pages through the newest 10,000 (a date filter reaches older
ones)."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

CAP = 10_000


class CappedPaginator(Paginator):
    cap = CAP

    @cached_property
    def count(self) -> int:
        # Counts the first cap + 1 rows in the list's order: an index scan that stops early.
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        if self.capped:  # only the newest `cap` runs have pages
            return -(-self.cap // self.per_page)
        return super().num_pages
