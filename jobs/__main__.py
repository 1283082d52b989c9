import sys

from jobs.runtime.cli import main

sys.exit(main())
